/** The SMS channel: texts in the person's language through the SMS gateway, receipts, and answers by reply. */
export { SmsChannel, maskPhone, type AlarmCommands, type SmsChannelDeps } from './sms-channel.js';
export { parseReply, shortCode, type Answer, type ParsedReply } from './reply.js';
export { alertText, updateText, replyText, type ReplyAnswer } from './sms-text.js';
export { smsLength, gsm7Septets, fitsOneSms, type SmsLength, type SmsEncoding } from './sms-length.js';
export { toE164, E164, type PhoneCheck } from './phone.js';
