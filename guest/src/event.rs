//! The event a handler receives: the deserialised payload and its context.

use crate::Context;

/// A deserialised payload and the context of the invocation that carried it.
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct LambdaEvent<T> {
    /// The event, deserialised from the invocation's JSON payload.
    pub payload: T,
    /// The invocation's context.
    pub context: Context,
}

impl<T> LambdaEvent<T> {
    /// Pairs a payload with its context.
    pub fn new(payload: T, context: Context) -> Self {
        LambdaEvent { payload, context }
    }

    /// Splits the event into its payload and context.
    pub fn into_parts(self) -> (T, Context) {
        (self.payload, self.context)
    }
}
