//! One table: its key schema, its description, and its items ordered by key (partition key,
//! then sort key, in DynamoDB's typed order).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::error::validation;
use super::value::{AttributeValue, Item, KeyValue, item_size};
use crate::json_protocol::ServiceError;

/// The largest partition key, in bytes.
const MAX_HASH_KEY: usize = 2048;
/// The largest sort key, in bytes.
const MAX_RANGE_KEY: usize = 1024;

/// A key attribute: its name and its type (`S`, `N` or `B`).
#[derive(Clone, Debug)]
pub(crate) struct KeyAttribute {
    /// The attribute's name.
    pub(crate) name: String,
    /// `S`, `N` or `B`.
    pub(crate) kind: String,
}

/// Where an item is: its partition key and its sort key (if the table has one).
pub(crate) type Key = (KeyValue, Option<KeyValue>);

/// How the table is billed, as `CreateTable` set it.
#[derive(Clone, Debug)]
pub(crate) enum Billing {
    /// `PROVISIONED` (the default), with read and write capacity units.
    Provisioned {
        /// Read capacity units.
        read: i64,
        /// Write capacity units.
        write: i64,
    },
    /// `PAY_PER_REQUEST`.
    PayPerRequest,
}

/// A table and its items.
#[derive(Debug)]
pub(crate) struct Table {
    /// The table's name.
    pub(crate) name: String,
    /// The partition key.
    pub(crate) hash: KeyAttribute,
    /// The sort key, if any.
    pub(crate) range: Option<KeyAttribute>,
    /// `AttributeDefinitions` as given.
    pub(crate) definitions: Vec<KeyAttribute>,
    /// How the table is billed.
    pub(crate) billing: Billing,
    /// Whether `DeleteTable` is refused.
    pub(crate) deletion_protection: bool,
    /// Epoch seconds.
    pub(crate) created: f64,
    /// `TableId`, UUID-shaped.
    pub(crate) id: String,
    /// The items, by key.
    pub(crate) items: BTreeMap<Key, Item>,
}

impl Table {
    /// The names of the key attributes.
    pub(crate) fn key_names(&self) -> Vec<&str> {
        let mut names = vec![self.hash.name.as_str()];
        names.extend(self.range.as_ref().map(|r| r.name.as_str()));
        names
    }

    /// The key of an item to write; refuses an item without its key attributes.
    pub(crate) fn key_of_item(&self, item: &Item) -> Result<Key, ServiceError> {
        let part = |attribute: &KeyAttribute, max: usize| {
            let value = item.get(&attribute.name).ok_or_else(|| {
                validation(format!(
                    "One or more parameter values were invalid: Missing the key {} in the item",
                    attribute.name
                ))
            })?;
            if value.type_name() != attribute.kind {
                return Err(validation(format!(
                    "One or more parameter values were invalid: Type mismatch for key {} expected: {} actual: {}",
                    attribute.name,
                    attribute.kind,
                    value.type_name()
                )));
            }
            key_part(attribute, value, max)
        };
        let hash = part(&self.hash, MAX_HASH_KEY)?;
        let range = match &self.range {
            Some(range) => Some(part(range, MAX_RANGE_KEY)?),
            None => None,
        };
        Ok((hash, range))
    }

    /// The key a `Key` member names; it must have exactly the key attributes.
    pub(crate) fn key_from(&self, key: &Item) -> Result<Key, ServiceError> {
        let mismatch = || validation("The provided key element does not match the schema");
        if key.len() != self.key_names().len() {
            return Err(mismatch());
        }
        let part = |attribute: &KeyAttribute, max: usize| {
            let value = key.get(&attribute.name).ok_or_else(mismatch)?;
            if value.type_name() != attribute.kind {
                return Err(mismatch());
            }
            key_part(attribute, value, max)
        };
        let hash = part(&self.hash, MAX_HASH_KEY)?;
        let range = match &self.range {
            Some(range) => Some(part(range, MAX_RANGE_KEY)?),
            None => None,
        };
        Ok((hash, range))
    }

    /// The key as an item of its attributes (`LastEvaluatedKey`).
    pub(crate) fn key_item(&self, key: &Key) -> Item {
        let mut item = Item::new();
        item.insert(self.hash.name.clone(), key.0.to_attribute());
        if let (Some(range), Some(value)) = (&self.range, &key.1) {
            item.insert(range.name.clone(), value.to_attribute());
        }
        item
    }

    /// The table's `TableDescription`.
    pub(crate) fn description(&self, status: &str) -> Value {
        let mut key_schema = vec![json!({ "AttributeName": self.hash.name, "KeyType": "HASH" })];
        if let Some(range) = &self.range {
            key_schema.push(json!({ "AttributeName": range.name, "KeyType": "RANGE" }));
        }
        let definitions: Vec<Value> = self
            .definitions
            .iter()
            .map(|d| json!({ "AttributeName": d.name, "AttributeType": d.kind }))
            .collect();
        let (read, write) = match self.billing {
            Billing::Provisioned { read, write } => (read, write),
            Billing::PayPerRequest => (0, 0),
        };
        let size: usize = self.items.values().map(item_size).sum();
        let mut description = json!({
            "AttributeDefinitions": definitions,
            "TableName": self.name,
            "KeySchema": key_schema,
            "TableStatus": status,
            "CreationDateTime": self.created,
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": read,
                "WriteCapacityUnits": write,
            },
            "TableSizeBytes": size,
            "ItemCount": self.items.len(),
            "TableArn": format!(
                "arn:aws:dynamodb:{}:{}:table/{}",
                crate::REGION,
                crate::ACCOUNT,
                self.name
            ),
            "TableId": self.id,
            "DeletionProtectionEnabled": self.deletion_protection,
        });
        if let (Billing::PayPerRequest, Some(map)) = (&self.billing, description.as_object_mut()) {
            map.insert(
                "BillingModeSummary".to_owned(),
                json!({
                    "BillingMode": "PAY_PER_REQUEST",
                    "LastUpdateToPayPerRequestDateTime": self.created,
                }),
            );
        }
        description
    }
}

/// A key attribute's value as a key: never empty, never too long.
fn key_part(
    attribute: &KeyAttribute,
    value: &AttributeValue,
    max: usize,
) -> Result<KeyValue, ServiceError> {
    let empty = match value {
        AttributeValue::S(s) => s.is_empty().then_some("string"),
        AttributeValue::B(b) => b.is_empty().then_some("binary"),
        _ => None,
    };
    if let Some(kind) = empty {
        return Err(validation(format!(
            "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty {kind} value. Key: {}",
            attribute.name
        )));
    }
    if value.size() > max {
        let which = if max == MAX_HASH_KEY {
            "hashkey"
        } else {
            "rangekey"
        };
        return Err(validation(format!(
            "One or more parameter values were invalid: Size of {which} has exceeded the maximum size limit of{max} bytes"
        )));
    }
    value
        .to_key()
        .ok_or_else(|| validation("The provided key element does not match the schema"))
}
