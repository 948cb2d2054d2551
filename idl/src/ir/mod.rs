//! The resolved intermediate representation: what code generators read.
//!
//! Every name is resolved: a [`Type`] is a builtin, an opaque/string/array
//! with its evaluated bound, optional-data, or a [`TypeId`] into
//! [`Ir::types`]. The type arena is in dependency order: a type comes after
//! every type it contains directly (by value, fixed array or typedef) and
//! after every type it refers to at all unless the two are mutually
//! recursive (then the reference goes through optional-data or a
//! variable-length array and may point forward).

mod dump;
mod size;

pub use crate::ast::Passthrough;
use crate::source::Span;

/// Index of a [`TypeDef`] in [`Ir::types`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeId(pub u32);

impl TypeId {
    /// The index into [`Ir::types`].
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A resolved specification.
#[derive(Debug, Clone, PartialEq)]
pub struct Ir {
    /// Constants in source order.
    pub consts: Vec<Const>,
    /// All type definitions, named and inline, in dependency order.
    pub types: Vec<TypeDef>,
    /// Programs in source order.
    pub programs: Vec<Program>,
    /// `%` lines in source order.
    pub passthrough: Vec<Passthrough>,
    /// Top-level items in source order (inline types are not items).
    pub items: Vec<ItemRef>,
}

/// A top-level item, pointing into the [`Ir`] vectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemRef {
    /// Index into [`Ir::consts`].
    Const(usize),
    /// A named type definition.
    Type(TypeId),
    /// Index into [`Ir::programs`].
    Program(usize),
    /// Index into [`Ir::passthrough`].
    Passthrough(usize),
}

/// Where a definition comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    /// The compiled file or a file it `#include`s: generate it.
    Source,
    /// Another `.x` file whose generated C header this one includes with a
    /// `%#include` line (`nis_callback.x` uses `nis.x`'s types through
    /// `%#include <rpcsvc/nis.h>`): a generator refers to it, as the C code
    /// does, instead of emitting it again. The id is that `.x` file.
    Imported(crate::source::FileId),
    /// A libtirpc type or constant the file uses without defining it
    /// (`netobj`, `des_block`, `netbuf`, `MAX_NETOBJ_SZ`, `MAXNETNAMELEN`),
    /// defined as libtirpc's XDR routines encode it.
    Library,
    /// A constant defined only by a `%#define NAME VALUE` line that the
    /// definitions use (the value is a C integer expression).
    Passthrough,
}

/// `const NAME = VALUE;`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Const {
    /// The name.
    pub name: String,
    /// The evaluated value.
    pub value: ConstValue,
    /// Where it is defined.
    pub origin: Origin,
    /// The comment above the definition.
    pub doc: Option<String>,
    /// The name's location.
    pub span: Span,
}

/// A constant's value. Integers lie in `-2^63 ..= 2^64-1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConstValue {
    /// A negative integer.
    Signed(i64),
    /// A non-negative integer.
    Unsigned(u64),
    /// A string constant (rpcgen accepts `const NAME = "text";`).
    Str(String),
}

impl ConstValue {
    /// The integer value, if this is an integer.
    pub fn as_i128(&self) -> Option<i128> {
        match self {
            ConstValue::Signed(v) => Some(i128::from(*v)),
            ConstValue::Unsigned(v) => Some(i128::from(*v)),
            ConstValue::Str(_) => None,
        }
    }
}

/// An array or string bound: the evaluated value and the constant it was
/// written as, if any (`opaque data<NFS_MAXDATA>`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Bound {
    /// The evaluated bound.
    pub value: u32,
    /// The constant name used, if the bound was written as a name.
    pub name: Option<String>,
}

/// A resolved type reference.
///
/// rpcgen's C spellings are mapped by their wire encoding, as rpcgen's
/// `xdr_*` routines encode them: `char`, `short`, `long`, `int8_t`,
/// `int16_t`, `int32_t` become [`Type::Int`]; `u_char`, `u_short`,
/// `u_long`, `u_int`, `uint*_t`, `u_int*_t` (8 to 32 bits) become
/// [`Type::Unsigned`]; `int64_t`, `quad_t` become [`Type::Hyper`];
/// `uint64_t`, `u_int64_t`, `u_quad_t` become [`Type::UnsignedHyper`];
/// `bool_t` becomes [`Type::Bool`] (the names only when the file does not
/// define them itself).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Type {
    /// `int` (4 bytes, signed).
    Int,
    /// `unsigned int` (4 bytes).
    Unsigned,
    /// `hyper` (8 bytes, signed).
    Hyper,
    /// `unsigned hyper` (8 bytes).
    UnsignedHyper,
    /// `float` (IEEE single).
    Float,
    /// `double` (IEEE double).
    Double,
    /// `quadruple` (IEEE quad, 16 bytes).
    Quadruple,
    /// `bool` (4 bytes, 0 or 1).
    Bool,
    /// `void` (union arms, procedure arguments and results only).
    Void,
    /// `opaque name[N]`.
    FixedOpaque(Bound),
    /// `opaque name<N>` (`None`: `<>`, at most 2^32-1).
    VarOpaque(Option<Bound>),
    /// `string name<N>` (`None`: `<>`).
    String(Option<Bound>),
    /// `T name[N]`.
    FixedArray(Box<Type>, Bound),
    /// `T name<N>` (`None`: `<>`).
    VarArray(Box<Type>, Option<Bound>),
    /// `T *name`: optional-data.
    Optional(Box<Type>),
    /// A defined type.
    Named(TypeId),
}

/// A type definition (named, or inline with a generated name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeDef {
    /// The name (for an inline type, the generated name).
    pub name: String,
    /// What it is.
    pub kind: TypeDefKind,
    /// Whether the type was written inline and its name generated
    /// (`Parent_field`, see the crate documentation).
    pub anonymous: bool,
    /// Where it is defined (only [`Origin::Source`] types are the
    /// generator's to emit).
    pub origin: Origin,
    /// The comment above the definition.
    pub doc: Option<String>,
    /// The name (or for an inline type, the inline type) location.
    pub span: Span,
    /// The encoded size if it is the same for every value.
    pub fixed_size: Option<u64>,
    /// The smallest encoded size of any value.
    pub min_size: u64,
    /// Whether the type refers to itself, directly or through others
    /// (only possible through optional-data or variable-length arrays).
    pub recursive: bool,
}

/// The kinds of type definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeDefKind {
    /// A struct.
    Struct(Struct),
    /// An enum.
    Enum(Enum),
    /// A discriminated union.
    Union(Union),
    /// `typedef T name;` (another name for `T`).
    Typedef(Type),
}

/// A struct's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Struct {
    /// Fields in order (at least one).
    pub fields: Vec<Field>,
}

/// A named, typed member of a struct or union arm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The field name.
    pub name: String,
    /// Its type (never `Void`).
    pub ty: Type,
    /// The comment above it.
    pub doc: Option<String>,
    /// The declaration's location.
    pub span: Span,
}

/// An enum's members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enum {
    /// Members in order.
    pub members: Vec<EnumMember>,
}

/// One enum member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumMember {
    /// The name (a constant in the global namespace).
    pub name: String,
    /// Its value: explicit, or the previous member's plus one (0 first).
    pub value: i32,
    /// The comment above it.
    pub doc: Option<String>,
    /// The name's location.
    pub span: Span,
}

/// A discriminated union.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Union {
    /// The discriminant.
    pub discriminant: Discriminant,
    /// The `case` arms in order.
    pub arms: Vec<UnionArm>,
    /// The `default:` arm, if any (`Some(None)`: `default: void;`).
    pub default: Option<Option<Field>>,
}

/// A union's discriminant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discriminant {
    /// Its name.
    pub name: String,
    /// Its declared type (possibly a typedef of one of the kinds).
    pub ty: Type,
    /// What it is after typedefs.
    pub kind: DiscriminantKind,
    /// The declaration's location.
    pub span: Span,
}

/// The legal discriminant types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiscriminantKind {
    /// `int`
    Int,
    /// `unsigned int`
    Unsigned,
    /// `bool`
    Bool,
    /// An enum.
    Enum(TypeId),
}

/// `case A: case B: field;`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnionArm {
    /// The case labels (at least one), values unique within the union.
    pub cases: Vec<CaseLabel>,
    /// The arm's field (`None`: `void`).
    pub field: Option<Field>,
}

/// One case label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseLabel {
    /// The value (in range for the discriminant's type).
    pub value: i64,
    /// The constant or enum member it was written as, if a name.
    pub name: Option<String>,
    /// The label's location.
    pub span: Span,
}

/// `program NAME { ... } = NUMBER;`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    /// The name.
    pub name: String,
    /// The program number.
    pub number: u32,
    /// Versions in source order (numbers unique).
    pub versions: Vec<Version>,
    /// The comment above it.
    pub doc: Option<String>,
    /// The name's location.
    pub span: Span,
}

/// `version NAME { ... } = NUMBER;`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// The name.
    pub name: String,
    /// The version number.
    pub number: u32,
    /// Procedures in source order (numbers and names unique).
    pub procedures: Vec<Procedure>,
    /// The comment above it.
    pub doc: Option<String>,
    /// The name's location.
    pub span: Span,
}

/// `RESULT NAME(ARGS) = NUMBER;`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Procedure {
    /// The name.
    pub name: String,
    /// The procedure number.
    pub number: u32,
    /// The arguments; empty for `NAME(void)` or `NAME()`.
    pub args: Vec<Arg>,
    /// The result type (`Type::Void` for none).
    pub result: Type,
    /// The comment above it.
    pub doc: Option<String>,
    /// The name's location.
    pub span: Span,
}

/// A procedure argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    /// The name given in the `.x` file (rpcgen `-N` style), if any.
    pub name: Option<String>,
    /// The type (never `Void`).
    pub ty: Type,
    /// The argument's location.
    pub span: Span,
}

impl Ir {
    /// The definition with id `id`.
    ///
    /// # Panics
    /// If `id` is not from this IR.
    pub fn get(&self, id: TypeId) -> &TypeDef {
        &self.types[id.index()]
    }

    /// The id of the type named `name`.
    pub fn find_type(&self, name: &str) -> Option<TypeId> {
        self.types.iter().position(|t| t.name == name).map(|i| TypeId(i as u32))
    }

    /// The constant named `name`.
    pub fn find_const(&self, name: &str) -> Option<&Const> {
        self.consts.iter().find(|c| c.name == name)
    }

    /// `ty` with typedef names replaced by what they stand for, repeatedly
    /// (`typedef int a; typedef a b;`: `b` resolves to `Int`).
    pub fn resolve_typedefs<'a>(&'a self, mut ty: &'a Type) -> &'a Type {
        for _ in 0..=self.types.len() {
            match ty {
                Type::Named(id) => match self.types.get(id.index()).map(|t| &t.kind) {
                    Some(TypeDefKind::Typedef(inner)) => ty = inner,
                    _ => return ty,
                },
                _ => return ty,
            }
        }
        ty
    }

    /// The encoded size of `ty` when it is the same for every value.
    pub fn fixed_size(&self, ty: &Type) -> Option<u64> {
        size::sizes(self, ty).and_then(|s| s.0)
    }

    /// The smallest encoded size of any value of `ty`.
    pub fn min_size(&self, ty: &Type) -> u64 {
        size::sizes(self, ty).map_or(u64::MAX, |s| s.1)
    }
}

pub(crate) use size::compute_sizes;
