//! The functions a server answers for, and how a request's `FunctionName` (a name, a
//! `name:alias`, a full or partial ARN) and `Qualifier` find one of them; `lambda-sim watch`
//! replaces one while the server runs.

use std::sync::{Arc, PoisonError, RwLock};

use base64::Engine as _;
use lambda_sim_project::FunctionSpec;
use lambda_sim_runtime::Function;
use sha2::Digest as _;

use crate::ApiError;

/// A function as deployed: the runtime's [`Function`] and what `GetFunction` shows of it.
#[derive(Clone)]
pub struct Deployed {
    /// The loaded function.
    pub function: Function,
    /// Its aliases besides `$LATEST` (each points at version `1`).
    pub aliases: Vec<String>,
    /// SAM's `Handler`, if given.
    pub handler: Option<String>,
    /// SAM's `Runtime`, if given.
    pub runtime: Option<String>,
    /// SAM's `Description`, if given.
    pub description: Option<String>,
    /// The component's size in bytes.
    pub code_size: usize,
    /// The component's SHA-256, base64 (as `CodeSha256`).
    pub code_sha256: String,
    /// Where the component was read from.
    pub code_location: String,
    /// When it was loaded, as `LastModified` (`2026-11-27T01:47:13.000+0000`).
    pub last_modified: String,
}

impl Deployed {
    /// Describes a loaded function; `spec` gives its aliases and SAM fields, `wasm` its code.
    pub fn new(
        function: Function,
        spec: Option<&FunctionSpec>,
        wasm: &[u8],
        location: &str,
    ) -> Self {
        let digest = sha2::Sha256::digest(wasm);
        let now = humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string();
        Deployed {
            function,
            aliases: spec.map(|s| s.aliases.clone()).unwrap_or_default(),
            handler: spec.and_then(|s| s.handler.clone()),
            runtime: spec.and_then(|s| s.runtime.clone()),
            description: spec.and_then(|s| s.description.clone()),
            code_size: wasm.len(),
            code_sha256: base64::engine::general_purpose::STANDARD.encode(digest),
            code_location: location.to_owned(),
            last_modified: now.trim_end_matches('Z').to_owned() + "+0000",
        }
    }

    /// The version a qualifier runs: `$LATEST`, or `1` for an alias.
    fn version_of(&self, qualifier: Option<&str>) -> Option<&'static str> {
        match qualifier {
            None | Some("$LATEST") => Some("$LATEST"),
            Some("1") if !self.aliases.is_empty() => Some("1"),
            Some(alias) if self.aliases.iter().any(|a| a == alias) => Some("1"),
            Some(_) => None,
        }
    }
}

/// The deployed functions, by name; cheap to clone, and clones share the functions: what
/// [`Registry::replace`] puts in, every clone (the server's) finds from then on.
///
/// A lookup clones the function's handle out under an uncontended read lock, so no lock is
/// held while it runs: an invocation that found the old code finishes on it after a replace.
#[derive(Clone, Default)]
pub struct Registry {
    functions: Arc<RwLock<Vec<Arc<Deployed>>>>,
}

/// A request's target: the function and the version it runs.
pub struct Target {
    /// The function, as deployed when the request found it.
    pub deployed: Arc<Deployed>,
    /// `$LATEST` or `1` (through an alias).
    pub version: &'static str,
}

impl Registry {
    /// A registry of these functions.
    pub fn new(functions: Vec<Deployed>) -> Self {
        Registry {
            functions: Arc::new(RwLock::new(functions.into_iter().map(Arc::new).collect())),
        }
    }

    /// Every function, in the order given.
    pub fn all(&self) -> Vec<Arc<Deployed>> {
        self.read().clone()
    }

    /// The function named `name`, as deployed now.
    pub fn get(&self, name: &str) -> Option<Arc<Deployed>> {
        self.read()
            .iter()
            .find(|d| d.function.config().name == name)
            .cloned()
    }

    /// Puts `deployed` in place of the function of the same name and returns the one it
    /// replaced (whose running invocations go on: each holds its own handle); `None`, and
    /// nothing changes, when no function has that name.
    pub fn replace(&self, deployed: Deployed) -> Option<Arc<Deployed>> {
        let mut functions = self
            .functions
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let name = deployed.function.config().name.clone();
        let slot = functions
            .iter_mut()
            .find(|d| d.function.config().name == name)?;
        Some(std::mem::replace(slot, Arc::new(deployed)))
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Vec<Arc<Deployed>>> {
        self.functions
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Resolves a (percent-decoded) `FunctionName` and an optional `Qualifier` parameter.
    pub fn find(&self, function_name: &str, qualifier: Option<&str>) -> Result<Target, ApiError> {
        let (name, from_name) = split_function_name(function_name)?;
        let qualifier = match (from_name, qualifier) {
            (Some(a), Some(b)) if a != b => {
                return Err(ApiError::bad_request(
                    "InvalidParameterValueException",
                    "The derived qualifier from the function name does not match the specified qualifier.",
                ));
            }
            (a, b) => a.or(b),
        };
        let functions = self.read();
        let deployed = functions.iter().find(|d| d.function.config().name == name);
        let not_found = || {
            let (region, account) = match &deployed {
                Some(d) => (
                    d.function.config().region.as_str(),
                    d.function.config().account_id.as_str(),
                ),
                None => default_account(&functions),
            };
            ApiError::not_found(&format!(
                "arn:aws:lambda:{region}:{account}:function:{name}:{}",
                qualifier.unwrap_or("$LATEST")
            ))
        };
        let deployed = deployed.ok_or_else(not_found)?;
        let version = deployed.version_of(qualifier).ok_or_else(not_found)?;
        Ok(Target {
            deployed: deployed.clone(),
            version,
        })
    }
}

fn default_account(functions: &[Arc<Deployed>]) -> (&str, &str) {
    match functions.first() {
        Some(d) => (&d.function.config().region, &d.function.config().account_id),
        None => ("us-east-1", "123456789012"),
    }
}

/// Splits `FunctionName` into the name and the qualifier it carries, as Lambda reads it:
/// `my-fn`, `my-fn:live`, `123456789012:function:my-fn[:live]`,
/// `arn:aws:lambda:us-east-1:123456789012:function:my-fn[:live]`.
pub fn split_function_name(function_name: &str) -> Result<(&str, Option<&str>), ApiError> {
    let parts: Vec<&str> = function_name.split(':').collect();
    let (name, qualifier) = match parts.as_slice() {
        [name] => (*name, None),
        [name, qualifier] => (*name, Some(*qualifier)),
        [_account, "function", name] => (*name, None),
        [_account, "function", name, qualifier] => (*name, Some(*qualifier)),
        [
            "arn",
            _partition,
            "lambda",
            _region,
            _account,
            "function",
            name,
        ] => (*name, None),
        [
            "arn",
            _partition,
            "lambda",
            _region,
            _account,
            "function",
            name,
            qualifier,
        ] => (*name, Some(*qualifier)),
        _ => ("", None),
    };
    let name_ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    let qualifier_ok = qualifier.is_none_or(|q| {
        !q.is_empty()
            && q.len() <= 128
            && (q == "$LATEST"
                || q.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    });
    if !name_ok || !qualifier_ok || function_name.len() > 170 {
        return Err(ApiError::validation(
            function_name,
            "functionName",
            "Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?",
        ));
    }
    Ok((name, qualifier))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_names_are_read_as_lambda_reads_them() {
        fn split(s: &str) -> Option<(&str, Option<&str>)> {
            split_function_name(s).ok()
        }
        assert_eq!(split("hello"), Some(("hello", None)));
        assert_eq!(split("hello:live"), Some(("hello", Some("live"))));
        assert_eq!(split("hello:$LATEST"), Some(("hello", Some("$LATEST"))));
        assert_eq!(
            split("arn:aws:lambda:us-east-1:123456789012:function:hello"),
            Some(("hello", None))
        );
        assert_eq!(
            split("arn:aws:lambda:us-east-1:123456789012:function:hello:7"),
            Some(("hello", Some("7")))
        );
        assert_eq!(split("123456789012:function:hello"), Some(("hello", None)));
        assert_eq!(split("../../etc/passwd"), None);
        assert_eq!(split(""), None);
        assert_eq!(split("a:b:c"), None);
        let error = split_function_name("bad name").err();
        assert_eq!(
            error.map(|e| (e.status, e.error_type)),
            Some((400, "ValidationException".to_owned()))
        );
    }
}
