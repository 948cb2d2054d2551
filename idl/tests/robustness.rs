//! Hostile inputs: long chains and deep nesting end in a result or a
//! clear error, never a crash or a stack overflow.

use idl::{MemoryLoader, Options, compile_str};

fn compile(text: &str) -> idl::Compilation {
    compile_str("t.x", text, &Options::new(), &MemoryLoader::new())
}

#[test]
fn long_constant_chain() {
    let mut s = String::from("const C0 = 1;\n");
    for i in 1..20_000 {
        s.push_str(&format!("const C{i} = C{};\n", i - 1));
    }
    let c = compile(&s);
    assert!(!c.has_errors(), "{}", c.render_diagnostics());
}

#[test]
fn long_typedef_chain() {
    let mut s = String::from("typedef int T0;\n");
    for i in 1..20_000 {
        s.push_str(&format!("typedef T{} T{i};\n", i - 1));
    }
    s.push_str("union u switch (T19999 d) { case 1: void; };\n");
    let c = compile(&s);
    assert!(!c.has_errors(), "{}", c.render_diagnostics());
    let ir = c.ir.unwrap();
    assert_eq!(ir.types.len(), 20_001);
    let last = ir.find_type("T19999").unwrap();
    assert_eq!(ir.resolve_typedefs(&idl::ir::Type::Named(last)), &idl::ir::Type::Int);
}

#[test]
fn long_recursive_cycle() {
    let n = 5_000;
    let mut s = String::new();
    for i in 0..n {
        s.push_str(&format!("struct S{i} {{ S{} *next; }};\n", (i + 1) % n));
    }
    let c = compile(&s);
    assert!(!c.has_errors());
    assert!(c.ir.unwrap().types.iter().all(|t| t.recursive));
}

#[test]
fn encoded_size_overflow_is_an_error() {
    let c = compile(
        "typedef opaque a[4000000000];\ntypedef a b[4000000000];\ntypedef b c[4000000000];\n",
    );
    assert!(c.render_diagnostics().contains("type `c` is too large"), "{}", c.render_diagnostics());
}

#[test]
fn deep_conditionals_and_expressions() {
    let s = "#if 1\n".repeat(5_000) + "const A = 1;\n" + &"#endif\n".repeat(5_000);
    assert!(!compile(&s).has_errors());
    let s = format!("#if {}1{}\n#endif\n", "(".repeat(10_000), ")".repeat(10_000));
    assert!(compile(&s).render_diagnostics().contains("nested deeper"));
}

#[test]
fn recursive_and_exploding_macros() {
    let c = compile("#define A B\n#define B A\nconst X = A;\n");
    assert!(c.render_diagnostics().contains("undefined constant `A`"));
    let mut s = String::from("#define M0 x\n");
    for i in 1..40 {
        s.push_str(&format!("#define M{i} M{} M{}\n", i - 1, i - 1));
    }
    s.push_str("M39\n");
    assert!(compile(&s).render_diagnostics().contains("macro expansion produces more than"));
}

#[test]
fn include_depth_limit() {
    let mut loader = MemoryLoader::new();
    for i in 0..100 {
        loader.insert(format!("f{i}.x"), format!("#include \"f{}.x\"\n", i + 1));
    }
    let c = compile_str("root.x", "#include \"f0.x\"\n", &Options::new(), &loader);
    assert!(c.render_diagnostics().contains("nested deeper than 32 files"));
}

#[test]
fn arbitrary_bytes() {
    for text in [
        "\u{0}\u{1}",
        "%",
        "#",
        "/*",
        "'",
        "\"",
        "union",
        "struct s {",
        "program P { version",
        "é€",
    ] {
        let _ = compile(text).render_diagnostics();
    }
}
