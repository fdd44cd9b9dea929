// `buffer` for the handler's code: the one `Buffer` the adapter made global at Init.
export const Buffer = globalThis.Buffer;
export const kMaxLength = 0x7fffffff;
export default { Buffer, kMaxLength };
