//! Hostile inputs end in clear errors, never panics, unbounded recursion or unbounded output.

use flux_helm::{fuzz_parse_values, fuzz_render_template};

fn render(t: &str) -> Result<String, String> {
    fuzz_render_template(t, 1 << 20).map_err(|e| e.to_string())
}

#[test]
fn recursive_templates_end_with_an_error() {
    let e =
        render(r#"{{ define "a" }}{{ template "a" . }}{{ end }}{{ template "a" . }}"#).unwrap_err();
    assert!(e.contains("exceeded maximum template depth"), "{e}");
    let e =
        render(r#"{{ define "a" }}{{ include "a" . }}{{ end }}{{ include "a" . }}"#).unwrap_err();
    assert!(e.contains("nested reference name: a"), "{e}");
    let e = render(
        r#"{{ define "a" }}{{ tpl "{{ include \"a\" . }}" . }}{{ end }}{{ include "a" . }}"#,
    )
    .unwrap_err();
    assert!(
        e.contains("nested reference") || e.contains("maximum template depth"),
        "{e}"
    );
}

#[test]
fn output_is_bounded() {
    let e = render(r#"{{ range until 100000 }}{{ repeat 100 "x" }}{{ end }}"#).unwrap_err();
    assert!(e.contains("exceeds the limit"), "{e}");
    let e = render(r#"{{ $s := "ab" }}{{ range until 64 }}{{ $s = print $s $s }}{{ end }}"#)
        .unwrap_err();
    assert!(e.contains("output limit"), "{e}");
    let e = render(r#"{{ range 100000000000 }}{{ end }}"#).unwrap_err();
    assert!(e.contains("range iterations exceed"), "{e}");
}

#[test]
fn deep_nesting_is_rejected_not_overflowed() {
    let deep = "{{ if true }}".repeat(5000) + &"{{ end }}".repeat(5000);
    assert!(render(&deep).unwrap_err().contains("nesting too deep"));
    let parens = format!("{{{{ {}1{} }}}}", "(".repeat(5000), ")".repeat(5000));
    assert!(render(&parens).unwrap_err().contains("nesting too deep"));
    let chain = format!(
        "{{{{ if false }}}}{}{{{{ end }}}}",
        "{{ else if false }}".repeat(5000)
    );
    assert!(render(&chain).unwrap_err().contains("nesting too deep"));
    let yaml = "a: ".to_string() + &"[".repeat(10000) + &"]".repeat(10000);
    assert!(fuzz_parse_values(&format!("x={yaml}")).is_ok() || fuzz_parse_values(&yaml).is_ok());
}

#[test]
fn odd_inputs_do_not_panic() {
    let samples = [
        "{{",
        "}}",
        "{{-",
        "{{- -}}",
        "{{/*",
        "{{/* x */",
        "{{ . ",
        "{{ \"unterminated }}",
        "{{ 'ab' }}",
        "{{ 0x }}",
        "{{ 1e }}",
        "{{ $ }}",
        "{{ $x }}",
        "{{ $x := }}",
        "{{ range $a, $b, $c := . }}{{ end }}",
        "{{ end }}",
        "{{ else }}",
        "{{ define }}",
        "{{ define \"x\" }}",
        "{{ template }}",
        "{{ block \"b\" }}",
        "{{ .a.b.c.d }}",
        "{{ index . 1 }}",
        "{{ slice \"é\" 0 1 }}",
        "{{ substr 0 1 \"é\" }}",
        "{{ trunc 1 \"éé\" }}",
        "{{ abbrev 4 \"ééééé\" }}",
        "{{ wrap 1 \"éé éé\" }}",
        "{{ printf \"%\" }}",
        "{{ printf \"%*d\" 1 }}",
        "{{ printf \"%.*f\" }}",
        "{{ div 1 0 }}",
        "{{ mod 1 0 }}",
        "{{ divf 1 0 }}",
        "{{ regexMatch \"(\" \"x\" }}",
        "{{ toDate \"2006\" \"99999\" }}",
        "{{ semver \"x\" }}",
        "{{ semverCompare \">>1\" \"1.0.0\" }}",
        "{{ fromYaml \"[\" }}",
        "{{ fromJson \"{\" }}",
        "{{ set (dict) \"a\" 1 | toYaml }}",
        "{{ $d := dict }}{{ $_ := set $d \"self\" $d }}{{ toYaml $d }}{{ $d }}",
        "{{ b64dec \"%%%\" }}",
        "{{ untilStep 0 10 0 }}",
        "{{ seq 1 0 5 }}",
        "{{ chunk 0 (list 1) }}",
        "{{ dig \"a\" (dict) }}",
        "{{ toToml (list 1) }}",
        "{{ tpl \"{{\" . }}",
        "{{ include \"nope\" . }}",
        "\u{0}{{ \"\u{0}\" }}",
        "{{ len nil }}",
        "{{ index nil 1 }}",
        "{{ and }}",
        "{{ or }}",
        "{{ not }}",
        "{{ eq (list) (list) }}",
        "{{ lt 1 \"a\" }}",
        "{{ urlParse \"::\" }}",
        "{{ durationRound \"x\" }}",
        "{{ \"\\x\" }}",
        "{{ '\\' }}",
        "{{ ( }}",
        "{{ ) }}",
        "{{ | }}",
        "{{ . | }}",
        "{{ .Values.a | nope }}",
    ];
    for s in samples {
        let _ = render(s);
        let _ = fuzz_parse_values(s);
    }
    for s in [
        "a",
        "a=",
        "a[",
        "a[-1]=1",
        "a[99999999]=1",
        "a.b.c=",
        "a={",
        "a={b,c",
        "a=1,a.b=2",
        "a=1,a[0]=2",
        "=x",
        ",",
        "a\\",
        "a.=1",
        "a[0].=1",
        "a[0][0]=1,a[0].b=1",
    ] {
        let _ = fuzz_parse_values(s);
    }
}
