//! A `[[function]]` table: `path`, `aliases` and `timeout` are the file's own keys; every other
//! key is read by [`FunctionConfig`]'s own `Deserialize`, straight from the TOML table, so that
//! no field of the configuration is declared twice and each mistake keeps its line.
//!
//! `timeout` is read here as a number of seconds (not by `FunctionConfig`) so that a value no
//! `Duration` can hold is named with its function, as every other range error is.

use std::fmt;
use std::path::{Path, PathBuf};

use lambda_sim_runtime::FunctionConfig;
use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, Visitor};
use serde::{Deserialize, forward_to_deserialize_any};

use crate::{Error, FunctionSpec, Result};

/// A `[[function]]` table as written.
pub(super) struct FunctionEntry {
    path: PathBuf,
    aliases: Vec<String>,
    timeout: Option<f64>,
    /// Every setting but `timeout`.
    config: FunctionConfig,
}

impl FunctionEntry {
    /// The function, its code resolved against `base`, its configuration checked.
    pub(super) fn into_spec(self, base: &Path) -> Result<FunctionSpec> {
        let mut config = self.config;
        if let Some(timeout) = self.timeout {
            config.timeout = std::time::Duration::try_from_secs_f64(timeout).map_err(|_| {
                Error::InvalidConfig(format!(
                    "function `{}`: timeout {timeout} s is outside Lambda's range of 1 to 900 seconds",
                    config.name
                ))
            })?;
        }
        config.validate().map_err(|err| {
            Error::InvalidConfig(format!(
                "function `{}`: {}",
                config.name,
                Error::from(err).message()
            ))
        })?;
        let mut spec = FunctionSpec::new(base.join(self.path), config);
        spec.aliases = self.aliases;
        Ok(spec)
    }
}

impl<'de> Deserialize<'de> for FunctionEntry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(EntryVisitor)
    }
}

struct EntryVisitor;

impl<'de> Visitor<'de> for EntryVisitor {
    type Value = FunctionEntry;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("struct FunctionEntry")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<FunctionEntry, A::Error> {
        let mut table = Table {
            map,
            fields: &[],
            path: None,
            aliases: None,
            timeout: None,
            named: false,
        };
        let config = FunctionConfig::deserialize(ConfigKeys(&mut table))?;
        let path = table.path.ok_or_else(|| de::Error::missing_field("path"))?;
        if !table.named {
            // `FunctionConfig` defaults its name; a file's function must give one.
            return Err(de::Error::missing_field("name"));
        }
        Ok(FunctionEntry {
            path,
            aliases: table.aliases.unwrap_or_default(),
            timeout: table.timeout,
            config,
        })
    }
}

/// The table being read: its own keys are taken out as they come, the others are handed to
/// `FunctionConfig`.
struct Table<A> {
    map: A,
    /// `FunctionConfig`'s keys, as its `Deserialize` names them.
    fields: &'static [&'static str],
    path: Option<PathBuf>,
    aliases: Option<Vec<String>>,
    timeout: Option<f64>,
    named: bool,
}

/// A key of the table.
enum Key {
    Path,
    Aliases,
    Timeout,
    /// One of `FunctionConfig`'s.
    Config(String),
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Table<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        loop {
            let key = self.map.next_key_seed(KeyOf {
                fields: self.fields,
            })?;
            match key {
                None => return Ok(None),
                Some(Key::Path) => self.path = Some(self.map.next_value()?),
                Some(Key::Aliases) => self.aliases = Some(self.map.next_value()?),
                Some(Key::Timeout) => self.timeout = Some(self.map.next_value()?),
                Some(Key::Config(name)) => {
                    self.named |= name == "name";
                    return seed.deserialize(name.into_deserializer()).map(Some);
                }
            }
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.map.next_value_seed(seed)
    }
}

/// Reads a key inside the TOML deserializer, so that an unknown key is refused with its line.
struct KeyOf {
    fields: &'static [&'static str],
}

impl<'de> DeserializeSeed<'de> for KeyOf {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl Visitor<'_> for KeyOf {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("field identifier")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Key, E> {
        match key {
            "path" => Ok(Key::Path),
            "aliases" => Ok(Key::Aliases),
            "timeout" => Ok(Key::Timeout),
            _ if self.fields.contains(&key) => Ok(Key::Config(key.to_owned())),
            _ => {
                let expected: Vec<String> = ["path"]
                    .iter()
                    .chain(self.fields)
                    .chain(&["aliases"])
                    .map(|name| format!("`{name}`"))
                    .collect();
                Err(E::custom(format_args!(
                    "unknown field `{key}`, expected one of {}",
                    expected.join(", ")
                )))
            }
        }
    }
}

/// `FunctionConfig`'s view of the table: a map of the keys that are not the file's own. It
/// learns `FunctionConfig`'s keys from its `deserialize_struct`, to name them all when a key
/// is unknown.
struct ConfigKeys<'a, A>(&'a mut Table<A>);

impl<'de, A: MapAccess<'de>> Deserializer<'de> for ConfigKeys<'_, A> {
    type Error = A::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, A::Error> {
        visitor.visit_map(self.0)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        self.0.fields = fields;
        visitor.visit_map(self.0)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}
