//! The tokens of DynamoDB's expressions: names, `#name` and `:value` placeholders, list
//! indexes and operators.

/// One token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Token {
    /// A bare word: an attribute name, a keyword (`AND`, `SET`, ...) or a function name.
    Word(String),
    /// An `ExpressionAttributeNames` placeholder, with its `#`.
    Name(String),
    /// An `ExpressionAttributeValues` placeholder, with its `:`.
    Value(String),
    /// A run of digits (a list index).
    Digits(String),
    /// An operator or punctuation: `( ) [ ] , . = <> < <= > >= + -`.
    Symbol(&'static str),
    /// The end of the expression.
    End,
}

/// A token and where it is in the expression.
#[derive(Clone, Debug)]
pub(crate) struct Lexeme {
    /// The token.
    pub(crate) token: Token,
    /// Its first byte.
    pub(crate) start: usize,
    /// One past its last byte.
    pub(crate) end: usize,
}

impl Lexeme {
    /// The token as DynamoDB's syntax errors show it.
    pub(crate) fn text<'a>(&self, source: &'a str) -> &'a str {
        match self.token {
            Token::End => "<EOF>",
            _ => &source[self.start..self.end],
        }
    }
}

const SYMBOLS: [&str; 14] = [
    "<>", "<=", ">=", "(", ")", "[", "]", ",", ".", "=", "<", ">", "+", "-",
];

/// The tokens of `source`, ending with [`Token::End`]; an unknown character is a syntax error
/// (its position is returned).
pub(crate) fn lex(source: &str) -> Result<Vec<Lexeme>, usize> {
    let bytes = source.as_bytes();
    let word_byte = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let run = |from: usize| {
        let mut end = from;
        while end < bytes.len() && word_byte(bytes[end]) {
            end += 1;
        }
        end
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let token = if b.is_ascii_alphabetic() || b == b'_' {
            i = run(i);
            Token::Word(source[start..i].to_owned())
        } else if b.is_ascii_digit() {
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            Token::Digits(source[start..i].to_owned())
        } else if b == b'#' || b == b':' {
            i = run(i + 1);
            if i == start + 1 {
                return Err(start);
            }
            let text = source[start..i].to_owned();
            if b == b'#' {
                Token::Name(text)
            } else {
                Token::Value(text)
            }
        } else if let Some(symbol) = SYMBOLS.iter().find(|s| source[start..].starts_with(**s)) {
            i += symbol.len();
            Token::Symbol(symbol)
        } else {
            return Err(start);
        };
        out.push(Lexeme {
            token,
            start,
            end: i,
        });
    }
    out.push(Lexeme {
        token: Token::End,
        start: bytes.len(),
        end: bytes.len(),
    });
    Ok(out)
}
