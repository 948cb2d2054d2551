//! The syntax tree, as written (names unresolved), with a span on every node.

use crate::source::Span;

/// A whole `.x` specification after preprocessing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Spec {
    /// Definitions and `%` lines in source order.
    pub items: Vec<Item>,
}

/// A top-level item.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)] // built once per file; boxing buys nothing
pub enum Item {
    /// A definition.
    Definition(Definition),
    /// A `%` line (placed before the definition it appeared in, as rpcgen does).
    Passthrough(Passthrough),
}

/// A `%` line: text after the `%`, backslash-newlines removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passthrough {
    /// The text after `%`.
    pub text: String,
    /// The whole line, `%` included.
    pub span: Span,
}

/// A name and where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// Where.
    pub span: Span,
}

/// A constant, a bound or a case label as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    /// Literal or name.
    pub kind: ValueKind,
    /// Where.
    pub span: Span,
}

/// What a [`Value`] is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueKind {
    /// An integer literal (decimal, hex, octal, maybe negative) or a
    /// character literal's code.
    Number(i128),
    /// A constant or enum member name.
    Name(String),
    /// A string literal (rpcgen accepts `const NAME = "text";`).
    Str(String),
}

/// A top-level definition; every one ends with `;`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    /// What is defined.
    pub kind: DefinitionKind,
    /// The comment directly above it, if any.
    pub doc: Option<String>,
    /// From the keyword to the `;`.
    pub span: Span,
}

/// The kinds of definition.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)] // built once per file; boxing buys nothing
pub enum DefinitionKind {
    /// `const NAME = VALUE;`
    Const {
        /// The constant's name.
        name: Ident,
        /// Its value.
        value: Value,
    },
    /// `typedef DECLARATION;`
    Typedef(Declaration),
    /// `enum NAME { ... };`
    Enum(Ident, EnumBody),
    /// `struct NAME { ... };`
    Struct(Ident, StructBody),
    /// `union NAME switch (...) { ... };`
    Union(Ident, UnionBody),
    /// `program NAME { ... } = NUMBER;`
    Program(Program),
}

/// The members of an enum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumBody {
    /// Members in order.
    pub members: Vec<EnumMember>,
    /// From `{` to `}`.
    pub span: Span,
}

/// `NAME` or `NAME = VALUE` in an enum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumMember {
    /// The member's name.
    pub name: Ident,
    /// Its explicit value, if given.
    pub value: Option<Value>,
    /// The comment directly above it.
    pub doc: Option<String>,
}

/// The fields of a struct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StructBody {
    /// Fields in order.
    pub fields: Vec<Declaration>,
    /// From `{` to `}`.
    pub span: Span,
}

/// `switch (DECL) { case ...: DECL; ... default: DECL; }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnionBody {
    /// The discriminant declaration.
    pub discriminant: Declaration,
    /// The `case` arms in order.
    pub arms: Vec<UnionArm>,
    /// The `default:` arm.
    pub default: Option<Declaration>,
    /// From `switch` to `}`.
    pub span: Span,
}

/// One or more `case VALUE:` labels and their declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnionArm {
    /// The labels.
    pub cases: Vec<Value>,
    /// The arm's declaration (`void` for none).
    pub decl: Declaration,
}

/// A declaration: `void`, `T name`, `T name[N]`, `T name<N>`, `T name<>`, `T *name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration {
    /// The type specifier.
    pub ty: TypeSpec,
    /// The declared name (`None` only for a bare `void`).
    pub name: Option<Ident>,
    /// Plain, array or optional.
    pub kind: DeclKind,
    /// The comment directly above it.
    pub doc: Option<String>,
    /// The whole declaration.
    pub span: Span,
}

/// The shape of a declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeclKind {
    /// `T name`
    Plain,
    /// `T *name`
    Optional,
    /// `T name[N]`
    Fixed(Value),
    /// `T name<N>` or `T name<>` (`None`).
    Variable(Option<Value>),
}

/// A type as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeSpec {
    /// Which type.
    pub kind: TypeSpecKind,
    /// Where.
    pub span: Span,
}

/// Built-in type keywords, including rpcgen's C spellings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BuiltinSpelling {
    /// `int`
    Int,
    /// `unsigned` or `unsigned int`
    Unsigned,
    /// `hyper` (`hyper int`)
    Hyper,
    /// `unsigned hyper`
    UnsignedHyper,
    /// `float`
    Float,
    /// `double`
    Double,
    /// `quadruple`
    Quadruple,
    /// `bool`
    Bool,
    /// `void`
    Void,
    /// `char` (rpcgen: `xdr_char`, a 4-byte int on the wire)
    Char,
    /// `unsigned char`
    UnsignedChar,
    /// `short` (`short int`)
    Short,
    /// `unsigned short`
    UnsignedShort,
    /// `long` (`long int`; 4 bytes on the wire)
    Long,
    /// `unsigned long`
    UnsignedLong,
}

/// The forms of type specifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeSpecKind {
    /// A keyword type.
    Builtin(BuiltinSpelling),
    /// `opaque` (needs `[N]` or `<N>`).
    Opaque,
    /// `string` (needs `<N>` or `<>`).
    String,
    /// A type name, possibly written `struct NAME`, `union NAME` or `enum NAME`.
    Named {
        /// The name.
        name: Ident,
        /// The keyword before it, if any.
        tag: Option<Tag>,
    },
    /// `struct { ... }` inline.
    AnonStruct(StructBody),
    /// `union switch (...) { ... }` inline.
    AnonUnion(Box<UnionBody>),
    /// `enum { ... }` inline.
    AnonEnum(EnumBody),
}

/// The keyword in `struct NAME`, `union NAME`, `enum NAME`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    /// `struct`
    Struct,
    /// `union`
    Union,
    /// `enum`
    Enum,
}

/// `program NAME { versions } = NUMBER;`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    /// The program's name.
    pub name: Ident,
    /// Its versions.
    pub versions: Vec<Version>,
    /// Its number.
    pub number: Value,
}

/// `version NAME { procedures } = NUMBER;`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// The version's name.
    pub name: Ident,
    /// Its procedures.
    pub procedures: Vec<Procedure>,
    /// Its number.
    pub number: Value,
    /// The comment directly above it.
    pub doc: Option<String>,
    /// The whole version definition.
    pub span: Span,
}

/// `RESULT NAME(ARGS) = NUMBER;`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Procedure {
    /// The result type.
    pub result: TypeSpec,
    /// The procedure's name.
    pub name: Ident,
    /// The arguments (`NAME()` has none; `NAME(void)` has one `void`).
    pub args: Vec<ProcArg>,
    /// Its number.
    pub number: Value,
    /// The comment directly above it.
    pub doc: Option<String>,
    /// The whole procedure definition.
    pub span: Span,
}

/// One procedure argument: `T`, `T name`, `T *`, `string<N>`, ...
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcArg {
    /// The type.
    pub ty: TypeSpec,
    /// The optional argument name (rpcgen `-N` style).
    pub name: Option<Ident>,
    /// Written with `*`: rpcgen's pass-by-pointer, a plain `T` on the wire.
    pub optional: bool,
    /// `<N>` / `<>` after the type (`Some(None)` for `<>`).
    pub bound: Option<Option<Value>>,
    /// The whole argument.
    pub span: Span,
}
