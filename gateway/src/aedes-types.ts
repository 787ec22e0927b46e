/** The aedes hook signatures, named once for the hook files. */
import type { AedesOptions } from 'aedes';

export type AuthenticateHandler = NonNullable<AedesOptions['authenticate']>;
export type AuthorizePublishHandler = NonNullable<AedesOptions['authorizePublish']>;
export type AuthorizeSubscribeHandler = NonNullable<AedesOptions['authorizeSubscribe']>;
