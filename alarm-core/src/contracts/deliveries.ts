/**
 * Delivery facts as the screens get them (the operator's card, the timeline, the live event):
 * the fact of `reach.ts` with the person's name, so a card can say who without a look-up.
 */
import Type, { type Static } from 'typebox';
import { DeliveryFact } from './reach.js';

export const NamedDeliveryFact = Type.Object({ ...DeliveryFact.properties, recipientName: Type.String() });
export type NamedDeliveryFact = Static<typeof NamedDeliveryFact>;
