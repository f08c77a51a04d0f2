//! [`Rejection`]: a failure code, a detail and arguments, as receipts commit them, and the
//! sentence rendered from them.

use std::fmt;

use super::reason::template;
use super::FailureCode;
use crate::hash::Hash32;
use crate::keys::PublicKey;
use crate::pb;

/// One argument of a rejection: an id or key (bytes, shown as hex), a number, or a code word
/// (a field name, a jurisdiction, a purpose code, a member id, an enum word). Never prose.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    /// An id or key.
    Bytes(Vec<u8>),
    /// A count, height, time or amount.
    Num(u64),
    /// A code word.
    Word(String),
}

impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Bytes(b) => f.write_str(&hex::encode(b)),
            Arg::Num(n) => write!(f, "{n}"),
            Arg::Word(w) => f.write_str(w),
        }
    }
}

impl From<Hash32> for Arg {
    fn from(h: Hash32) -> Self {
        Arg::Bytes(h.to_vec())
    }
}
impl From<&Hash32> for Arg {
    fn from(h: &Hash32) -> Self {
        Arg::Bytes(h.to_vec())
    }
}
impl From<PublicKey> for Arg {
    fn from(k: PublicKey) -> Self {
        Arg::Bytes(k.to_vec())
    }
}
impl From<&PublicKey> for Arg {
    fn from(k: &PublicKey) -> Self {
        Arg::Bytes(k.to_vec())
    }
}
impl From<&[u8]> for Arg {
    fn from(b: &[u8]) -> Self {
        Arg::Bytes(b.to_vec())
    }
}
impl From<&Vec<u8>> for Arg {
    fn from(b: &Vec<u8>) -> Self {
        Arg::Bytes(b.clone())
    }
}
impl From<u64> for Arg {
    fn from(n: u64) -> Self {
        Arg::Num(n)
    }
}
impl From<u32> for Arg {
    fn from(n: u32) -> Self {
        Arg::Num(n.into())
    }
}
impl From<usize> for Arg {
    fn from(n: usize) -> Self {
        Arg::Num(n as u64)
    }
}
impl From<&str> for Arg {
    fn from(w: &str) -> Self {
        Arg::Word(w.to_string())
    }
}
impl From<String> for Arg {
    fn from(w: String) -> Self {
        Arg::Word(w)
    }
}
impl From<&String> for Arg {
    fn from(w: &String) -> Self {
        Arg::Word(w.clone())
    }
}

/// A rejected transaction: a stable code, which of its situations (`detail`), and what the
/// situation names. Build one with a constructor of [`super::reason`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// The stable code.
    pub code: FailureCode,
    /// Which of the code's situations (0 is its general one).
    pub detail: u32,
    /// What the situation names, in the order of its template.
    pub args: Vec<Arg>,
}

impl Rejection {
    /// The sentence for the operator, rendered from the code's template for `detail` and
    /// the arguments. A detail this build does not know renders the code's description and
    /// the arguments as they are.
    pub fn message(&self) -> String {
        let Some((text, names)) = template(self.code, self.detail) else {
            let args: Vec<String> = self.args.iter().map(Arg::to_string).collect();
            return if args.is_empty() {
                self.code.description().to_string()
            } else {
                format!("{} ({})", self.code.description(), args.join(", "))
            };
        };
        let mut out = text.to_string();
        for (name, arg) in names.iter().zip(&self.args) {
            out = out.replace(&format!("{{{name}}}"), &arg.to_string());
        }
        out
    }

    /// The receipt of a transaction `tx_id` that failed with this rejection.
    pub fn receipt(&self, tx_id: &Hash32) -> pb::Receipt {
        pb::Receipt {
            tx_id: tx_id.to_vec(),
            code: self.code.number(),
            created: Vec::new(),
            detail: self.detail,
            args: self.args.iter().map(arg_pb).collect(),
        }
    }

    /// The rejection a failed receipt records (`None` for an applied one, or a code this
    /// build does not know).
    pub fn of_receipt(r: &pb::Receipt) -> Option<Rejection> {
        let code = FailureCode::from_number(r.code)?;
        Some(Rejection {
            code,
            detail: r.detail,
            args: r.args.iter().filter_map(arg_of).collect(),
        })
    }
}

fn arg_pb(a: &Arg) -> pb::Arg {
    use pb::arg::Value;
    pb::Arg {
        value: Some(match a {
            Arg::Bytes(b) => Value::Bytes(b.clone()),
            Arg::Num(n) => Value::Number(*n),
            Arg::Word(w) => Value::Word(w.clone()),
        }),
    }
}

fn arg_of(a: &pb::Arg) -> Option<Arg> {
    use pb::arg::Value;
    Some(match a.value.as_ref()? {
        Value::Bytes(b) => Arg::Bytes(b.clone()),
        Value::Number(n) => Arg::Num(*n),
        Value::Word(w) => Arg::Word(w.clone()),
    })
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message())
    }
}

impl std::error::Error for Rejection {}
