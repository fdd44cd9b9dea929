//! A function's `FunctionUrlConfig` (or `Globals.Function`'s, merged key by key as SAM merges
//! maps) as a [`FunctionUrlSpec`]: `AuthType` (`NONE`; `AWS_IAM` is accepted, unsigned),
//! `InvokeMode` and `Cors`.

use serde_saphyr::Spanned;

use super::context::Context;
use super::syntax::FunctionUrlConfig;
use crate::{FunctionUrlSpec, InvokeMode, Result};

impl Context<'_> {
    /// The function's URL: its own `FunctionUrlConfig`'s keys over the globals'.
    pub(super) fn function_url(
        &self,
        own: Option<&Spanned<FunctionUrlConfig>>,
        globals: Option<&Spanned<FunctionUrlConfig>>,
        function: &str,
        warnings: &mut Vec<String>,
    ) -> Result<Option<FunctionUrlSpec>> {
        let Some(config) = own.or(globals) else {
            return Ok(None);
        };
        let pick = |key: fn(&FunctionUrlConfig) -> bool| {
            own.filter(|own| key(&own.value))
                .or(globals)
                .unwrap_or(config)
        };
        for key in own.iter().flat_map(|own| own.value.other.keys()) {
            warnings.push(self.warning(
                None,
                format!("`FunctionUrlConfig.{key}` ignored: not simulated"),
            ));
        }
        let mut url = FunctionUrlSpec::new(function);
        let auth = pick(|c| c.auth_type.is_some());
        let Some(leaf) = &auth.value.auth_type else {
            return Err(self.error(auth, "`FunctionUrlConfig.AuthType` is missing"));
        };
        match self
            .string("FunctionUrlConfig.AuthType", leaf, warnings)?
            .as_deref()
        {
            Some("NONE") | None => {}
            Some("AWS_IAM") => warnings.push(self.warning(
                Some(leaf),
                "`FunctionUrlConfig.AuthType` `AWS_IAM`: requests are not checked for a signature (served as `NONE`)",
            )),
            Some(other) => {
                return Err(self.error(
                    leaf,
                    format!("`FunctionUrlConfig.AuthType` `{other}` is not NONE or AWS_IAM"),
                ));
            }
        }
        if let Some(leaf) = &pick(|c| c.invoke_mode.is_some()).value.invoke_mode {
            url.invoke_mode = match self
                .string("FunctionUrlConfig.InvokeMode", leaf, warnings)?
                .as_deref()
            {
                Some("BUFFERED") | None => InvokeMode::Buffered,
                Some("RESPONSE_STREAM") => InvokeMode::ResponseStream,
                Some(other) => {
                    return Err(self.error(
                        leaf,
                        format!(
                            "`FunctionUrlConfig.InvokeMode` `{other}` is not BUFFERED or RESPONSE_STREAM"
                        ),
                    ));
                }
            };
        }
        if let Some(cors) = &pick(|c| c.cors.is_some()).value.cors {
            url.cors =
                Some(self.cors_lists("FunctionUrlConfig.Cors", &cors.value, cors, warnings)?);
        }
        Ok(Some(url))
    }
}
