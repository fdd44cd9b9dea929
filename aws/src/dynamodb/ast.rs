//! What the expressions say once parsed: document paths, conditions (condition, filter and
//! key-condition expressions) and updates, with their placeholders already resolved.

use std::fmt;

use super::value::AttributeValue;

/// One step of a document path.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Step {
    /// A map member (or a top-level attribute).
    Name(String),
    /// A list element.
    Index(usize),
}

/// A document path: `a.b[2].c`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Path(pub(crate) Vec<Step>);

impl Path {
    /// The top-level attribute the path starts with.
    pub(crate) fn attribute(&self) -> &str {
        match self.0.first() {
            Some(Step::Name(name)) => name,
            _ => "",
        }
    }

    /// Whether one path is a prefix of the other (or both are the same).
    pub(crate) fn overlaps(&self, other: &Path) -> bool {
        self.0.iter().zip(&other.0).all(|(a, b)| a == b)
    }

    /// The path as DynamoDB's messages show it: `[a, b, [2]]`.
    pub(crate) fn described(&self) -> String {
        let steps: Vec<String> = self
            .0
            .iter()
            .map(|step| match step {
                Step::Name(name) => name.clone(),
                Step::Index(i) => format!("[{i}]"),
            })
            .collect();
        format!("[{}]", steps.join(", "))
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (k, step) in self.0.iter().enumerate() {
            match step {
                Step::Name(name) if k == 0 => f.write_str(name)?,
                Step::Name(name) => write!(f, ".{name}")?,
                Step::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

/// An operand of a condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Operand {
    /// The value at a path of the item (maybe absent).
    Path(Path),
    /// A value given in `ExpressionAttributeValues`.
    Value(AttributeValue),
    /// `size(path)`.
    Size(Path),
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Comparator {
    /// `=`
    Eq,
    /// `<>`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Comparator {
    /// The comparator a symbol spells, if any.
    pub(crate) fn from_symbol(symbol: &str) -> Option<Comparator> {
        Some(match symbol {
            "=" => Comparator::Eq,
            "<>" => Comparator::Ne,
            "<" => Comparator::Lt,
            "<=" => Comparator::Le,
            ">" => Comparator::Gt,
            ">=" => Comparator::Ge,
            _ => return None,
        })
    }
}

/// A condition on an item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Condition {
    /// `a = b`, `a < b`, ...
    Compare(Operand, Comparator, Operand),
    /// `a BETWEEN low AND high`
    Between(Operand, Operand, Operand),
    /// `a IN (b, c, ...)`
    In(Operand, Vec<Operand>),
    /// `attribute_exists(path)`
    Exists(Path),
    /// `attribute_not_exists(path)`
    NotExists(Path),
    /// `attribute_type(path, :type)`
    Type(Path, Operand),
    /// `begins_with(a, b)`
    BeginsWith(Operand, Operand),
    /// `contains(a, b)`
    Contains(Operand, Operand),
    /// `a AND b`
    And(Box<Condition>, Box<Condition>),
    /// `a OR b`
    Or(Box<Condition>, Box<Condition>),
    /// `NOT a`
    Not(Box<Condition>),
}

/// An operand of a `SET` action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum UpdateOperand {
    /// The value at a path of the item before the update (it must exist).
    Path(Path),
    /// A value given in `ExpressionAttributeValues`.
    Value(AttributeValue),
    /// `if_not_exists(path, operand)`
    IfNotExists(Path, Box<UpdateOperand>),
    /// `list_append(a, b)`
    ListAppend(Box<UpdateOperand>, Box<UpdateOperand>),
}

/// The right-hand side of a `SET` action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum SetValue {
    /// `operand`
    Operand(UpdateOperand),
    /// `a + b` (numbers)
    Plus(UpdateOperand, UpdateOperand),
    /// `a - b` (numbers)
    Minus(UpdateOperand, UpdateOperand),
}

/// An update expression's actions, by section.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Update {
    /// `SET path = value, ...`
    pub(crate) set: Vec<(Path, SetValue)>,
    /// `REMOVE path, ...`
    pub(crate) remove: Vec<Path>,
    /// `ADD path :value, ...` (numbers and sets)
    pub(crate) add: Vec<(Path, AttributeValue)>,
    /// `DELETE path :set, ...`
    pub(crate) delete: Vec<(Path, AttributeValue)>,
}

impl Update {
    /// Every path the update changes, in the order of the expression's sections.
    pub(crate) fn paths(&self) -> Vec<&Path> {
        let mut out: Vec<&Path> = self.set.iter().map(|(p, _)| p).collect();
        out.extend(&self.remove);
        out.extend(self.add.iter().map(|(p, _)| p));
        out.extend(self.delete.iter().map(|(p, _)| p));
        out
    }
}

/// A value as DynamoDB's messages show it: `{N:5}`, `{S:abc}`.
pub(crate) fn brief(value: &AttributeValue) -> String {
    let shown = match value {
        AttributeValue::S(s) => s.clone(),
        AttributeValue::N(n) => n.to_string(),
        AttributeValue::Bool(b) => b.to_string(),
        other => other.to_json().to_string(),
    };
    format!("{{{}:{shown}}}", value.type_name())
}
