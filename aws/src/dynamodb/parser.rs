//! A recursive-descent parser for DynamoDB's expressions, bounded in depth so that no input
//! can exhaust the stack. Errors are the text after `Invalid <Kind>Expression: `.

use super::ast::{
    Comparator, Condition, Operand, Path, SetValue, Step, Update, UpdateOperand, brief,
};
use super::lexer::{Lexeme, Token, lex};
use super::placeholders::Placeholders;
use super::reserved::is_reserved;
use super::value::{AttributeValue, compare};

/// How deep parentheses, `NOT`s and functions may nest.
const MAX_DEPTH: usize = 64;
/// The largest list index a path may name.
const MAX_INDEX: usize = 1_000_000;

/// A parse failure: the message after `Invalid <Kind>Expression: `.
pub(crate) type ParseResult<T> = Result<T, String>;

/// The parser of one expression.
pub(crate) struct Parser<'a> {
    source: &'a str,
    tokens: Vec<Lexeme>,
    pos: usize,
    depth: usize,
    placeholders: &'a mut Placeholders,
}

impl<'a> Parser<'a> {
    /// A parser of `source` that resolves placeholders in `placeholders`.
    pub(crate) fn new(source: &'a str, placeholders: &'a mut Placeholders) -> ParseResult<Self> {
        let tokens = lex(source).map_err(|at| {
            let token: String = source[at..].chars().take(1).collect();
            let near: String = source[at..].chars().take(8).collect();
            format!("Syntax error; token: \"{token}\", near: \"{near}\"")
        })?;
        Ok(Parser {
            source,
            tokens,
            pos: 0,
            depth: 0,
            placeholders,
        })
    }

    /// A whole condition expression.
    pub(crate) fn parse_condition(mut self) -> ParseResult<Condition> {
        let condition = self.condition()?;
        self.end()?;
        Ok(condition)
    }

    /// A whole update expression.
    pub(crate) fn parse_update(mut self) -> ParseResult<Update> {
        let mut update = Update::default();
        let mut seen: Vec<String> = Vec::new();
        while self.peek() != &Token::End {
            let Token::Word(word) = self.peek().clone() else {
                return Err(self.syntax_error());
            };
            let section = word.to_ascii_uppercase();
            if !["SET", "REMOVE", "ADD", "DELETE"].contains(&section.as_str()) {
                return Err(self.syntax_error());
            }
            if seen.contains(&section) {
                return Err(format!(
                    "The \"{section}\" section can only be used once in an update expression;"
                ));
            }
            self.advance();
            loop {
                match section.as_str() {
                    "SET" => {
                        let path = self.path()?;
                        self.expect_symbol("=")?;
                        let value = self.set_value()?;
                        update.set.push((path, value));
                    }
                    "REMOVE" => {
                        let path = self.path()?;
                        update.remove.push(path);
                    }
                    _ => {
                        let path = self.path()?;
                        let Token::Value(name) = self.peek().clone() else {
                            return Err(self.syntax_error());
                        };
                        self.advance();
                        let value = self.value(&name)?;
                        if section == "ADD" {
                            update.add.push((path, value));
                        } else {
                            update.delete.push((path, value));
                        }
                    }
                }
                if self.peek() != &Token::Symbol(",") {
                    break;
                }
                self.advance();
            }
            seen.push(section);
        }
        if seen.is_empty() {
            return Err(self.syntax_error());
        }
        Ok(update)
    }

    /// A whole projection expression: paths separated by commas.
    pub(crate) fn parse_projection(mut self) -> ParseResult<Vec<Path>> {
        let mut paths = vec![self.path()?];
        while self.peek() == &Token::Symbol(",") {
            self.advance();
            paths.push(self.path()?);
        }
        self.end()?;
        for (i, a) in paths.iter().enumerate() {
            if let Some(b) = paths[i + 1..].iter().find(|b| a.overlaps(b)) {
                return Err(format!(
                    "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: {}, path two: {}",
                    a.described(),
                    b.described()
                ));
            }
        }
        Ok(paths)
    }

    fn peek(&self) -> &Token {
        self.peek_at(0)
    }

    fn peek_at(&self, ahead: usize) -> &Token {
        self.tokens
            .get(self.pos + ahead)
            .map_or(&Token::End, |l| &l.token)
    }

    fn advance(&mut self) {
        if self.pos + 1 < self.tokens.len() {
            self.pos += 1;
        }
    }

    fn is_keyword(&self, keyword: &str) -> bool {
        matches!(self.peek(), Token::Word(w) if w.eq_ignore_ascii_case(keyword))
    }

    fn is_call(&self) -> Option<String> {
        match (self.peek(), self.peek_at(1)) {
            (Token::Word(w), Token::Symbol("(")) => Some(w.clone()),
            _ => None,
        }
    }

    fn end(&self) -> ParseResult<()> {
        if self.peek() == &Token::End {
            Ok(())
        } else {
            Err(self.syntax_error())
        }
    }

    fn expect_symbol(&mut self, symbol: &'static str) -> ParseResult<()> {
        if self.peek() == &Token::Symbol(symbol) {
            self.advance();
            Ok(())
        } else {
            Err(self.syntax_error())
        }
    }

    fn syntax_error(&self) -> String {
        let current = &self.tokens[self.pos.min(self.tokens.len() - 1)];
        let start = match self.pos.checked_sub(1) {
            Some(previous) => self.tokens[previous].start,
            None => current.start,
        };
        let near = self.source[start..current.end].trim();
        format!(
            "Syntax error; token: \"{}\", near: \"{near}\"",
            current.text(self.source)
        )
    }

    fn enter(&mut self) -> ParseResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(format!(
                "The expression has more than {MAX_DEPTH} nested levels"
            ));
        }
        Ok(())
    }

    fn condition(&mut self) -> ParseResult<Condition> {
        self.enter()?;
        let mut left = self.conjunction()?;
        while self.is_keyword("OR") {
            self.advance();
            let right = self.conjunction()?;
            left = Condition::Or(Box::new(left), Box::new(right));
        }
        self.depth -= 1;
        Ok(left)
    }

    fn conjunction(&mut self) -> ParseResult<Condition> {
        let mut left = self.negation()?;
        while self.is_keyword("AND") {
            self.advance();
            let right = self.negation()?;
            left = Condition::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn negation(&mut self) -> ParseResult<Condition> {
        if !self.is_keyword("NOT") {
            return self.primary();
        }
        self.advance();
        self.enter()?;
        let inner = self.negation()?;
        self.depth -= 1;
        Ok(Condition::Not(Box::new(inner)))
    }

    fn primary(&mut self) -> ParseResult<Condition> {
        if self.peek() == &Token::Symbol("(") {
            self.advance();
            let condition = self.condition()?;
            self.expect_symbol(")")?;
            return Ok(condition);
        }
        if let Some(function) = self.is_call().filter(|f| f != "size") {
            return self.function(&function);
        }
        let left = self.operand()?;
        if let Token::Symbol(symbol) = self.peek()
            && let Some(comparator) = Comparator::from_symbol(symbol)
        {
            self.advance();
            let right = self.operand()?;
            return Ok(Condition::Compare(left, comparator, right));
        }
        if self.is_keyword("BETWEEN") {
            self.advance();
            let low = self.operand()?;
            if !self.is_keyword("AND") {
                return Err(self.syntax_error());
            }
            self.advance();
            let high = self.operand()?;
            if let (Operand::Value(l), Operand::Value(h)) = (&low, &high)
                && compare(l, h) == Some(std::cmp::Ordering::Greater)
            {
                return Err(format!(
                    "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {}, upper bound operand: AttributeValue: {}",
                    brief(l),
                    brief(h)
                ));
            }
            return Ok(Condition::Between(left, low, high));
        }
        if self.is_keyword("IN") {
            self.advance();
            self.expect_symbol("(")?;
            let mut list = vec![self.operand()?];
            while self.peek() == &Token::Symbol(",") {
                self.advance();
                list.push(self.operand()?);
            }
            self.expect_symbol(")")?;
            return Ok(Condition::In(left, list));
        }
        if matches!(left, Operand::Size(_)) && self.peek() == &Token::End {
            return Err(
                "The function is not allowed to be used this way in an expression; function: size"
                    .to_owned(),
            );
        }
        Err(self.syntax_error())
    }

    fn function(&mut self, name: &str) -> ParseResult<Condition> {
        self.advance();
        self.advance();
        self.enter()?;
        let condition = match name {
            "attribute_exists" => Condition::Exists(self.path()?),
            "attribute_not_exists" => Condition::NotExists(self.path()?),
            "attribute_type" => {
                let path = self.path()?;
                self.expect_symbol(",")?;
                let kind = self.operand()?;
                if let Operand::Value(value) = &kind {
                    check_type_name(value)?;
                }
                Condition::Type(path, kind)
            }
            "begins_with" | "contains" => {
                let left = self.operand()?;
                self.expect_symbol(",")?;
                let right = self.operand()?;
                if name == "begins_with" {
                    for operand in [&left, &right] {
                        if let Operand::Value(v) = operand
                            && !matches!(v, AttributeValue::S(_) | AttributeValue::B(_))
                        {
                            return Err(format!(
                                "Incorrect operand type for operator or function; operator or function: begins_with, operand type: {}",
                                v.type_name()
                            ));
                        }
                    }
                    Condition::BeginsWith(left, right)
                } else {
                    Condition::Contains(left, right)
                }
            }
            "if_not_exists" | "list_append" => {
                return Err(format!(
                    "The function is not allowed to be used this way in an expression; function: {name}"
                ));
            }
            other => return Err(format!("Invalid function name; function: {other}")),
        };
        self.expect_symbol(")")?;
        self.depth -= 1;
        Ok(condition)
    }

    fn operand(&mut self) -> ParseResult<Operand> {
        if let Token::Value(name) = self.peek().clone() {
            self.advance();
            return Ok(Operand::Value(self.value(&name)?));
        }
        match self.is_call().as_deref() {
            Some("size") => {
                self.advance();
                self.advance();
                let path = self.path()?;
                self.expect_symbol(")")?;
                Ok(Operand::Size(path))
            }
            Some(other) => Err(format!(
                "The function is not allowed to be used this way in an expression; function: {other}"
            )),
            None => Ok(Operand::Path(self.path()?)),
        }
    }

    fn set_value(&mut self) -> ParseResult<SetValue> {
        let left = self.update_operand()?;
        let value = match self.peek() {
            Token::Symbol("+") => {
                self.advance();
                SetValue::Plus(left, self.update_operand()?)
            }
            Token::Symbol("-") => {
                self.advance();
                SetValue::Minus(left, self.update_operand()?)
            }
            _ => SetValue::Operand(left),
        };
        Ok(value)
    }

    fn update_operand(&mut self) -> ParseResult<UpdateOperand> {
        if let Token::Value(name) = self.peek().clone() {
            self.advance();
            return Ok(UpdateOperand::Value(self.value(&name)?));
        }
        let Some(function) = self.is_call() else {
            return Ok(UpdateOperand::Path(self.path()?));
        };
        self.advance();
        self.advance();
        self.enter()?;
        let operand = match function.as_str() {
            "if_not_exists" => {
                let path = self.path()?;
                self.expect_symbol(",")?;
                UpdateOperand::IfNotExists(path, Box::new(self.update_operand()?))
            }
            "list_append" => {
                let left = self.update_operand()?;
                self.expect_symbol(",")?;
                let right = self.update_operand()?;
                UpdateOperand::ListAppend(Box::new(left), Box::new(right))
            }
            "attribute_exists"
            | "attribute_not_exists"
            | "attribute_type"
            | "begins_with"
            | "contains"
            | "size" => {
                return Err(format!(
                    "The function is not allowed in a update expression; function: {function}"
                ));
            }
            other => return Err(format!("Invalid function name; function: {other}")),
        };
        self.expect_symbol(")")?;
        self.depth -= 1;
        Ok(operand)
    }

    fn path(&mut self) -> ParseResult<Path> {
        let mut steps = vec![self.path_name()?];
        loop {
            match self.peek() {
                Token::Symbol(".") => {
                    self.advance();
                    steps.push(self.path_name()?);
                }
                Token::Symbol("[") => {
                    self.advance();
                    let Token::Digits(digits) = self.peek().clone() else {
                        return Err(self.syntax_error());
                    };
                    let index = digits
                        .parse::<usize>()
                        .ok()
                        .filter(|i| *i <= MAX_INDEX)
                        .ok_or_else(|| {
                            format!(
                                "List index is not within the allowable range; index: [{digits}]"
                            )
                        })?;
                    self.advance();
                    self.expect_symbol("]")?;
                    steps.push(Step::Index(index));
                }
                _ => return Ok(Path(steps)),
            }
        }
    }

    fn path_name(&mut self) -> ParseResult<Step> {
        let step = match self.peek().clone() {
            Token::Word(word) => {
                if is_reserved(&word) {
                    return Err(format!(
                        "Attribute name is a reserved keyword; reserved keyword: {word}"
                    ));
                }
                Step::Name(word)
            }
            Token::Name(name) => Step::Name(self.placeholders.name(&name)?),
            _ => return Err(self.syntax_error()),
        };
        self.advance();
        Ok(step)
    }

    fn value(&mut self, name: &str) -> ParseResult<AttributeValue> {
        self.placeholders.value(name)
    }
}

/// The second argument of `attribute_type` must name a type.
fn check_type_name(value: &AttributeValue) -> ParseResult<()> {
    const TYPES: [&str; 10] = ["S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M"];
    match value {
        AttributeValue::S(name) if TYPES.contains(&name.as_str()) => Ok(()),
        AttributeValue::S(name) => Err(format!(
            "Invalid attribute type name found; type: {name}, valid types: {{ B,NULL,SS,BOOL,L,BS,N,NS,S,M }}"
        )),
        other => Err(format!(
            "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: {}",
            other.type_name()
        )),
    }
}
