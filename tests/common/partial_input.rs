//! A tool call's parsed input, rebuilt from the operations a flush carries
//! (the encoding of `src/delta/json/partial.rs`), as `pkg-template/partial-json.js`
//! rebuilds it in JS.

use serde_json::{Map, Value};

/// The value the operations built so far.
#[derive(Debug, Default)]
pub struct PartialInput {
    root: Option<Value>,
    /// The open containers: the path from the root to each, as keys or indices.
    open: Vec<Vec<Slot>>,
    /// The key the next member of the innermost open object gets.
    key: Option<String>,
    /// Where the string being read is.
    string: Option<Vec<Slot>>,
}

#[derive(Debug, Clone)]
pub enum Slot {
    Key(String),
    Index(usize),
}

impl PartialInput {
    /// The value, `None` before it begins. Strings are kept as their raw JSON
    /// text while they grow (an op may end between the halves of a surrogate
    /// pair, which serde_json does not take alone) and decoded here.
    pub fn value(&self) -> Option<Value> {
        fn decode(v: &Value) -> Value {
            match v {
                Value::String(raw) => serde_json::from_str(&format!("\"{raw}\"")).expect("a whole string"),
                Value::Array(items) => Value::Array(items.iter().map(decode).collect()),
                Value::Object(map) => {
                    Value::Object(map.iter().map(|(k, v)| (k.clone(), decode(v))).collect())
                }
                other => other.clone(),
            }
        }
        self.root.as_ref().map(decode)
    }

    fn at(&mut self, path: &[Slot]) -> &mut Value {
        let mut v = self.root.as_mut().expect("a root");
        for slot in path {
            v = match slot {
                Slot::Key(k) => v.as_object_mut().unwrap().get_mut(k).unwrap(),
                Slot::Index(i) => &mut v.as_array_mut().unwrap()[*i],
            };
        }
        v
    }

    /// Puts a new value where the next one goes; returns its path.
    fn place(&mut self, value: Value) -> Vec<Slot> {
        let Some(parent) = self.open.last().cloned() else {
            self.root = Some(value);
            return Vec::new();
        };
        let mut path = parent.clone();
        let key = self.key.take();
        match self.at(&parent) {
            Value::Object(map) => {
                let key = key.expect("a key before an object member");
                map.insert(key.clone(), value);
                path.push(Slot::Key(key));
            }
            Value::Array(items) => {
                items.push(value);
                path.push(Slot::Index(items.len() - 1));
            }
            other => panic!("a value inside {other}"),
        }
        path
    }

    /// Applies the operations of one flush (comma-separated JSON values).
    pub fn apply(&mut self, ops: &str) {
        if ops.is_empty() {
            return;
        }
        let mut ops = split(ops).into_iter();
        while let Some(op) = ops.next() {
            let Token::Bare(op) = op else { panic!("an opcode") };
            let mut arg = || match ops.next().expect("an argument") {
                Token::Str(raw) | Token::Bare(raw) => raw,
            };
            match op.parse::<u64>().expect("an opcode") {
                1 => {
                    self.string = None;
                    let path = self.place(Value::Object(Map::new()));
                    self.open.push(path);
                }
                2 => {
                    self.string = None;
                    let path = self.place(Value::Array(Vec::new()));
                    self.open.push(path);
                }
                3 => {
                    self.string = None;
                    self.open.pop().expect("an open container");
                }
                4 => {
                    let raw = arg();
                    let key = serde_json::from_str(&format!("\"{raw}\"")).expect("a key");
                    self.key = Some(key);
                }
                5 => {
                    self.string = None;
                    let v = serde_json::from_str(&arg()).expect("a scalar");
                    self.place(v);
                }
                6 => {
                    let v = Value::String(arg());
                    let path = self.place(v);
                    self.string = Some(path);
                }
                7 => {
                    let more = arg();
                    let path = self.string.clone().expect("an open string");
                    let s = self.at(&path);
                    let joined = format!("{}{more}", s.as_str().unwrap());
                    *s = Value::String(joined);
                }
                other => panic!("unknown op {other}"),
            }
        }
    }
}

/// One comma-separated value of the ops.
enum Token {
    /// A string, its raw inside (still escaped).
    Str(String),
    /// A number or literal, as written.
    Bare(String),
}

/// Splits the comma-separated JSON values of the ops.
fn split(ops: &str) -> Vec<Token> {
    let b = ops.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        if b[i] == b'"' {
            i += 1;
            while b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            out.push(Token::Str(ops[start + 1..i].to_owned()));
            i += 1;
        } else {
            while i < b.len() && b[i] != b',' {
                i += 1;
            }
            out.push(Token::Bare(ops[start..i].to_owned()));
        }
        i += 1;
    }
    out
}
