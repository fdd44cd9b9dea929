//! Conditions and projections evaluated on an item.

use std::borrow::Cow;
use std::cmp::Ordering;

use super::ast::{Comparator, Condition, Operand, Path, Step};
use super::number::Number;
use super::value::{AttributeValue, Item, compare};

/// The value at `path` of `item`, if any.
pub(crate) fn resolve<'a>(item: &'a Item, path: &Path) -> Option<&'a AttributeValue> {
    let mut steps = path.0.iter();
    let mut current = match steps.next()? {
        Step::Name(name) => item.get(name)?,
        Step::Index(_) => return None,
    };
    for step in steps {
        current = match (step, current) {
            (Step::Name(name), AttributeValue::M(map)) => map.get(name)?,
            (Step::Index(i), AttributeValue::L(list)) => list.get(*i)?,
            _ => return None,
        };
    }
    Some(current)
}

/// Whether `condition` holds for `item` (an absent item is the empty item).
pub(crate) fn holds(condition: &Condition, item: &Item) -> bool {
    match condition {
        Condition::Compare(a, comparator, b) => {
            let (a, b) = (operand(item, a), operand(item, b));
            match (comparator, a, b) {
                (Comparator::Eq, Some(a), Some(b)) => a == b,
                (Comparator::Ne, Some(a), Some(b)) => a != b,
                // An absent attribute differs from any value.
                (Comparator::Ne, _, _) => true,
                (_, Some(a), Some(b)) => match compare(&a, &b) {
                    Some(order) => match comparator {
                        Comparator::Lt => order == Ordering::Less,
                        Comparator::Le => order != Ordering::Greater,
                        Comparator::Gt => order == Ordering::Greater,
                        Comparator::Ge => order != Ordering::Less,
                        Comparator::Eq | Comparator::Ne => false,
                    },
                    None => false,
                },
                _ => false,
            }
        }
        Condition::Between(a, low, high) => {
            match (operand(item, a), operand(item, low), operand(item, high)) {
                (Some(a), Some(low), Some(high)) => {
                    compare(&a, &low).is_some_and(|o| o != Ordering::Less)
                        && compare(&a, &high).is_some_and(|o| o != Ordering::Greater)
                }
                _ => false,
            }
        }
        Condition::In(a, list) => operand(item, a).is_some_and(|a| {
            list.iter()
                .any(|b| operand(item, b).is_some_and(|b| a == b))
        }),
        Condition::Exists(path) => resolve(item, path).is_some(),
        Condition::NotExists(path) => resolve(item, path).is_none(),
        Condition::Type(path, kind) => match (resolve(item, path), operand(item, kind)) {
            (Some(value), Some(kind)) => {
                matches!(&*kind, AttributeValue::S(name) if name == value.type_name())
            }
            _ => false,
        },
        Condition::BeginsWith(a, prefix) => match (operand(item, a), operand(item, prefix)) {
            (Some(a), Some(prefix)) => match (&*a, &*prefix) {
                (AttributeValue::S(a), AttributeValue::S(p)) => a.starts_with(p.as_str()),
                (AttributeValue::B(a), AttributeValue::B(p)) => a.starts_with(p),
                _ => false,
            },
            _ => false,
        },
        Condition::Contains(a, b) => match (operand(item, a), operand(item, b)) {
            (Some(a), Some(b)) => contains(&a, &b),
            _ => false,
        },
        Condition::And(a, b) => holds(a, item) && holds(b, item),
        Condition::Or(a, b) => holds(a, item) || holds(b, item),
        Condition::Not(a) => !holds(a, item),
    }
}

fn contains(container: &AttributeValue, element: &AttributeValue) -> bool {
    match (container, element) {
        (AttributeValue::S(s), AttributeValue::S(part)) => s.contains(part.as_str()),
        (AttributeValue::B(b), AttributeValue::B(part)) => {
            part.is_empty() || b.windows(part.len()).any(|w| w == part.as_slice())
        }
        (AttributeValue::Ss(set), AttributeValue::S(s)) => set.contains(s),
        (AttributeValue::Ns(set), AttributeValue::N(n)) => set.contains(n),
        (AttributeValue::Bs(set), AttributeValue::B(b)) => set.contains(b),
        (AttributeValue::L(list), element) => list.contains(element),
        _ => false,
    }
}

fn operand<'a>(item: &'a Item, operand: &'a Operand) -> Option<Cow<'a, AttributeValue>> {
    match operand {
        Operand::Path(path) => resolve(item, path).map(Cow::Borrowed),
        Operand::Value(value) => Some(Cow::Borrowed(value)),
        Operand::Size(path) => {
            let size = match resolve(item, path)? {
                AttributeValue::S(s) => s.chars().count(),
                AttributeValue::B(b) => b.len(),
                AttributeValue::M(m) => m.len(),
                AttributeValue::L(l) => l.len(),
                AttributeValue::Ss(s) => s.len(),
                AttributeValue::Ns(s) => s.len(),
                AttributeValue::Bs(s) => s.len(),
                AttributeValue::N(_) | AttributeValue::Bool(_) | AttributeValue::Null => {
                    return None;
                }
            };
            Some(Cow::Owned(AttributeValue::N(Number::from_usize(size))))
        }
    }
}

/// The parts of `item` that `paths` name, nested as in the item (list elements keep their
/// order and close up, as DynamoDB's projections do).
pub(crate) fn project(item: &Item, paths: &[Path]) -> Item {
    let mut out = Item::new();
    for path in paths {
        if let Some(value) = resolve(item, path) {
            place(&mut out, &path.0, value);
        }
    }
    out
}

fn place(out: &mut Item, steps: &[Step], value: &AttributeValue) {
    let Some((Step::Name(first), rest)) = steps.split_first() else {
        return;
    };
    if rest.is_empty() {
        out.insert(first.clone(), value.clone());
        return;
    }
    let template = match rest.first() {
        Some(Step::Index(_)) => AttributeValue::L(Vec::new()),
        _ => AttributeValue::M(Item::new()),
    };
    let slot = out.entry(first.clone()).or_insert(template);
    place_within(slot, rest, value);
}

fn place_within(slot: &mut AttributeValue, steps: &[Step], value: &AttributeValue) {
    match (slot, steps.first()) {
        (AttributeValue::M(map), Some(Step::Name(_))) => place(map, steps, value),
        (AttributeValue::L(list), Some(Step::Index(_))) => {
            let rest = &steps[1..];
            if rest.is_empty() {
                list.push(value.clone());
                return;
            }
            let mut element = match rest.first() {
                Some(Step::Index(_)) => AttributeValue::L(Vec::new()),
                _ => AttributeValue::M(Item::new()),
            };
            place_within(&mut element, rest, value);
            list.push(element);
        }
        _ => {}
    }
}
