//! The events of a check: read from a file (one JSON event, a JSON array of events, or JSON
//! Lines) or a directory of `*.json` files, each named as the verdict will name it.

use lambda_sim_runtime::Payload;
use serde_json::Value;

use crate::{Error, Result};

/// One event of a check, with the name it is reported under (a file name, an index).
#[derive(Clone, Debug)]
pub struct NamedEvent {
    /// How the event is named in the verdict.
    pub name: String,
    /// The payload.
    pub payload: Payload,
}

/// Reads events from a file (one JSON event, a JSON array of events, or JSON Lines) or a
/// directory (each `*.json` file is one event, in name order).
pub fn read_events(path: &std::path::Path) -> Result<Vec<NamedEvent>> {
    let parse = |name: String, bytes: &[u8]| -> Result<NamedEvent> {
        match Payload::json(bytes) {
            Ok(payload) => Ok(NamedEvent { name, payload }),
            Err(source) => Err(Error::InvalidEvent { name, source }),
        }
    };
    let read_error = |path: &std::path::Path| {
        let path = path.to_owned();
        move |source| Error::ReadEvents { path, source }
    };
    if path.is_dir() {
        let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(path)
            .map_err(read_error(path))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(Error::NoEvents(path.to_owned()));
        }
        return files
            .iter()
            .map(|file| {
                let bytes = std::fs::read(file).map_err(read_error(file))?;
                let name = file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                parse(name, &bytes)
            })
            .collect();
    }
    let events = read_file(path)?;
    if events.is_empty() {
        return Err(Error::NoEvents(path.to_owned()));
    }
    Ok(events)
}

/// The events of one file, perhaps none.
fn read_file(path: &std::path::Path) -> Result<Vec<NamedEvent>> {
    let parse = |name: String, bytes: &[u8]| -> Result<NamedEvent> {
        match Payload::json(bytes) {
            Ok(payload) => Ok(NamedEvent { name, payload }),
            Err(source) => Err(Error::InvalidEvent { name, source }),
        }
    };
    let read_error = |source| Error::ReadEvents {
        path: path.to_owned(),
        source,
    };
    let text = std::fs::read_to_string(path).map_err(read_error)?;
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Array(items)) => Ok(items
            .iter()
            .enumerate()
            .map(|(i, item)| NamedEvent {
                name: format!("{file}[{i}]"),
                payload: Payload::from_value(item),
            })
            .collect()),
        Ok(value) => Ok(vec![NamedEvent {
            name: file,
            payload: Payload::from_value(&value),
        }]),
        Err(_) => text
            .lines()
            .enumerate()
            .filter(|(_, line)| !line.trim().is_empty())
            .map(|(i, line)| parse(format!("{file}:{}", i + 1), line.as_bytes()))
            .collect(),
    }
}
