{{- define "t0" }}{{ $v0_0 := (quote true) }}
{{ $.Values.t }}{{ $v0_0 = $v0_0 }}{{- end }}
{{- define "t1" }}-{{ (quote "lit") }}{{- end }}
{{- define "t2" }}{{ if (eq 2 2) }}{{ $v1_0 := (typeOf "lit") }}{{ range $k1, $e1 := $.Values.missing }}-{{ (print $k1) }}{{ with $e1 }}{{ range $k3, $e3 := (until 4) }}|{{ 3 }}{{ if (or true $.Values.z) }}{{ break }}{{ end }}{{ else }}empty{{ end }}{{ $v3_3 := $v1_0 }}{{ $v3_4 := $.Values.m }}{{ end }}
{{ $.Values.z }}{{ end }}{{ else }}{{ with (toJson (dict "q" 1)) }}
{{ 1 }}x{{ 3 }}{{ if (eq 1 2) }}{{ if (not (not (not 3))) }}x{{ $.Values.t }} {{ (not $.Values.m) }}{{ else if (or $.Values.t (quote (typeOf $.Values.t))) }}x{{ $.Values.t }}|{{ "lit" }}{{ else }}
{{ (not $.Values.missing) }}{{ end }}{{ range $k3, $e3 := (list) }}-{{ (len $.Values.l) }} {{ (print true) }}{{ end }}{{ $v3_0 := 1 }}{{ else }}{{ if (not (toJson (toJson (dict "q" 1)))) }}x{{ $.Values.l }}{{ end }}{{ with "lit" }}
{{ (kindOf (dict "q" 1)) }} {{ (print $.Values.m.c) }}
{{ (not (not $.Values.m)) }}{{ else }}-{{ $.Values.missing }}
{{ (kindOf (default "d" $.Values.s)) }}
{{ $.Values.l }}{{ end }}{{ end }}{{ end }}{{ $v1_0 := "lit" }}
{{ $v1_0 }}{{ end }} {{ (kindOf $.Values.t) }}{{- end }}
{{- define "t3" }}{{ $v0_0 := $.Values.missing }}{{- end }}
{{- define "t4" }}-{{ (empty (quote $.Values.m)) }}{{ range $k0, $e0 := $.Values.m.c }}{{ $v1_2 := (dict "q" 1) }}{{ if (and $.Values.m $k0) }}{{ continue }}{{ end }}{{ end }} {{ "lit" }}{{- end }}
{{- define "t5" }}{{ range $k0, $e0 := $.Values.m.c }}-{{ (kindOf $.Values.m.c) }}{{ if (and (len $.Values.m) (toJson $.Values.missing)) }}
{{ true }}{{ with $e0 }}{{ if (eq 2 2) }}x{{ $k0 }}
{{ (default "d" $k0) }}{{ end }} {{ $e0 }}{{ $k0 = "lit" }}{{ else }}{{ with $.Values.t }}x{{ $.Values.m }}|{{ $.Values.e }}|{{ $.Values.e }}{{ end }}{{ if (eq 2 1) }}
{{ $.Values.missing }} {{ (list 1 2) }}{{ else if (eq 2 2) }}-{{ $e0 }} {{ $.Values.s }}{{ else }}x{{ (toJson $.Values.z) }}-{{ $.Values.e }}{{ end }}
{{ $.Values.missing }}{{ end }}-{{ $.Values.m }}{{ else if true }}-{{ $k0 }}{{ end }}-{{ $.Values.l }}{{ if (not $k0) }}{{ continue }}{{ end }}{{ end }}{{ with (quote (typeOf $.Values.l)) }}{{ if (or (toJson 1) "lit") }}-{{ (len $.Values.m) }}|{{ $.Values.missing }}x{{ 3 }}{{ else }}{{ end }}{{ if (or (kindOf (kindOf $.Values.l)) 1) }} {{ (kindOf (kindOf "lit")) }}{{ else if (or (empty "lit") (toJson (print true))) }} {{ "lit" }}{{ else }}{{ range $k2, $e2 := (list) }}
{{ $k2 }}{{ if (and (typeOf $e2) $.Values.m.c) }}{{ continue }}{{ end }}{{ else }}empty{{ end }}{{ end }}{{ else }}{{ range $k1, $e1 := (list) }}{{ range $k2, $e2 := $.Values.missing }}{{ $k2 = $k1 }}-{{ $k2 }}{{ with (quote (len $.Values.l)) }}|{{ (empty $k1) }}{{ else }} {{ (dict "q" 1) }}{{ end }}{{ end }}{{ end }}{{ $v1_0 := (kindOf (typeOf $.Values.s)) }}{{ $v1_1 := $v1_0 }}{{ end }}{{- end }}
{{- define "t6" }}{{ range $k0, $e0 := (list) }} {{ (quote (typeOf 1)) }}
{{ 1 }}{{ range $k1, $e1 := $.Values.m.c }}{{ with $e1 }}|{{ $k1 }}{{ else }}|{{ $.Values.l }}{{ end }}{{ end }}{{ end }}{{ $v0_0 := (default "d" (typeOf $.Values.s)) }}{{- end }}
{{- define "t7" }}{{ if (and (empty $.Values.m.c) 3) }}{{ end }}{{ $v0_0 := $.Values.l }}{{- end }}
{{- define "t8" }}{{ $v0_0 := 3 }}{{ if (and $v0_0 (not 1)) }}{{ with $.Values.t }}{{ $v2_1 := (typeOf $v0_0) }}{{ range $k2, $e2 := $.Values.m.c }}x{{ 1 }}{{ range $k3, $e3 := (list) }}x{{ "lit" }}{{ else }}empty{{ end }}{{ $v0_0 = true }}{{ if 3 }}{{ continue }}{{ end }}{{ end }}{{ end }}-{{ "lit" }}{{ if (not (kindOf "lit")) }}{{ $v2_1 := $v0_0 }}{{ $v2_2 := $.Values.l }}{{ range $k2, $e2 := (list) }}{{ $v3_5 := $k2 }}{{ if (or $.Values.z (len (list 1))) }}{{ break }}{{ end }}{{ end }}{{ else if (not (not $v0_0)) }}{{ with 3 }} {{ $.Values.m.c }}{{ end }}x{{ "lit" }}-{{ (list 1 2) }}{{ end }}{{ else if (or (empty $.Values.e) $.Values.l) }}{{ $v0_0 = $v0_0 }}{{ range $k1, $e1 := (until 4) }}|{{ (list 1 2) }}{{ if $.Values.m.c }}{{ break }}{{ end }}{{ else }}empty{{ end }}x{{ $.Values.t }}{{ end }}{{- end }}
{{- define "t9" }}{{ with (list 1 2) }}-{{ (quote (quote 1)) }}{{ if (not $.Values.m) }}-{{ $.Values.m }}{{ if (eq 1 2) }}{{ range $k3, $e3 := $.Values.l }}x{{ $k3 }}
{{ (quote 1) }}|{{ $k3 }}{{ if (not $.Values.z) }}{{ continue }}{{ end }}{{ end }}{{ if $.Values.m }}x{{ (kindOf (not true)) }}{{ end }}{{ end }}{{ else }}{{ with (not $.Values.z) }}{{ with (typeOf $.Values.m) }} {{ (dict "q" 1) }}x{{ (not $.Values.m.c) }}{{ else }}|{{ $.Values.m }}{{ end }}
{{ $.Values.l }}|{{ $.Values.m.c }}{{ end }}{{ end }}{{ with (not $.Values.t) }} {{ $.Values.l }}{{ $v2_0 := $.Values.s }}{{ end }}{{ end }}{{- end }}
{{- define "t10" }}{{ with "lit" }}{{ if (or (len $.Values.l) (kindOf 1)) }}-{{ $.Values.s }}{{ else }}{{ range $k2, $e2 := $.Values.m.c }}|{{ $.Values.m }}{{ range $k3, $e3 := $.Values.m.c }}-{{ $.Values.e }}
{{ (print $.Values.e) }}{{ end }}{{ end }}{{ end }}{{ range $k1, $e1 := (until 4) }}{{ $e1 = (toJson $.Values.l) }}x{{ $.Values.z }}{{ range $k2, $e2 := $.Values.m }}{{ if (or (kindOf $.Values.s) (quote $e1)) }}
{{ $.Values.missing }}-{{ (typeOf (list 1 2)) }}{{ end }}{{ with $.Values.missing }} {{ "lit" }}{{ end }}{{ if (not 1) }}{{ break }}{{ end }}{{ end }}{{ end }}{{ else }}{{ if (or (empty (default "d" true)) $.Values.z) }}-{{ $.Values.missing }}x{{ 3 }}{{ end }}|{{ 1 }}{{ end }}{{ with $.Values.e }}
{{ $.Values.missing }} {{ (kindOf $.Values.e) }}{{ else }}
{{ (print $.Values.m) }}x{{ $.Values.m }}{{ if (not $.Values.z) }}{{ range $k2, $e2 := $.Values.m.c }}{{ range $k3, $e3 := $.Values.l }} {{ $.Values.s }} {{ "lit" }}{{ end }}{{ $v3_2 := (typeOf (len $.Values.s)) }}{{ $v3_3 := 3 }}{{ end }}{{ if (or (default "d" $.Values.l) $.Values.l) }}{{ $v3_0 := $.Values.s }}{{ if (or $.Values.z $.Values.missing) }} {{ $v3_0 }} {{ $v3_0 }}{{ end }}{{ $v3_1 := (len $.Values.l) }}{{ else if (print (not $.Values.z)) }}{{ $v3_0 := (print (empty $.Values.s)) }}{{ $v3_0 = $v3_0 }}{{ else }} {{ (empty $.Values.t) }}|{{ $.Values.missing }}{{ end }}{{ else }}{{ if (quote (kindOf 3)) }} {{ (len $.Values.s) }}x{{ $.Values.s }}{{ else if (not $.Values.e) }} {{ $.Values.s }}{{ end }}{{ end }}{{ end }}{{- end }}
{{- define "t11" }}{{ range $k0, $e0 := $.Values.m.c }}{{ if (not (list 1 2)) }}{{ $e0 = $k0 }} {{ $e0 }}{{ if (not $e0) }} {{ $e0 }}
{{ (len (list 1)) }}{{ else }}{{ with (print $.Values.l) }}|{{ $.Values.m }} {{ $.Values.t }}
{{ 1 }}{{ end }}{{ $k0 = $e0 }}{{ end }}{{ else }}{{ range $k2, $e2 := (until 4) }}x{{ $e2 }}{{ range $k3, $e3 := (list) }}|{{ $.Values.s }}x{{ $e3 }}{{ else }}empty{{ end }}{{ range $k3, $e3 := (until 4) }}|{{ (kindOf $.Values.m.c) }}-{{ $.Values.missing }}{{ if (eq 2 1) }}{{ continue }}{{ end }}{{ end }}{{ else }}empty{{ end }}{{ end }}{{ end }}{{ range $k0, $e0 := $.Values.missing }}{{ with $.Values.s }}
{{ (dict "q" 1) }}{{ range $k2, $e2 := $.Values.m }}{{ range $k3, $e3 := $.Values.m.c }} {{ $.Values.s }}{{ else }}empty{{ end }}{{ end }}{{ with $k0 }}|{{ (kindOf $.Values.l) }}{{ with $e0 }}x{{ $k0 }}{{ end }}{{ range $k3, $e3 := $.Values.m }}x{{ $.Values.z }}
{{ $e0 }}{{ else }}empty{{ end }}{{ end }}{{ end }}{{ $e0 = (default "d" $k0) }}{{ end }}{{- end }}
{{- define "t12" }}{{ range $k0, $e0 := (list) }}{{ $k0 = 1 }}{{ if (eq 2 1) }}{{ $v2_2 := $k0 }}{{ else if (not true) }}{{ $k0 = 1 }}{{ end }}{{ with $.Values.m }}{{ range $k2, $e2 := $.Values.missing }}{{ if (or $.Values.l $k2) }}
{{ $.Values.s }}
{{ $.Values.missing }}x{{ (kindOf $k0) }}{{ end }}{{ $v3_4 := 1 }}{{ with (empty $k2) }} {{ $.Values.m.c }}-{{ $k2 }}|{{ $e2 }}{{ end }}{{ if (not (len $.Values.m)) }}{{ continue }}{{ end }}{{ end }}{{ else }} {{ $e0 }}{{ $e0 = $e0 }}{{ end }}{{ if (or (print $.Values.e) (kindOf $k0)) }}{{ continue }}{{ end }}{{ end }}{{ range $k0, $e0 := (until 4) }}{{ if (and $.Values.t $e0) }}x{{ $.Values.missing }}{{ end }}{{ range $k1, $e1 := $.Values.m }}{{ $v2_4 := $k1 }}{{ if (or $.Values.e 3) }}{{ continue }}{{ end }}{{ end }}{{ else }}empty{{ end }}{{- end }}
{{- define "t13" }} {{ (print (empty $.Values.z)) }}{{ $v0_0 := true }}{{- end }}
{{- define "t14" }}{{ if (not (not $.Values.missing)) }}{{ range $k1, $e1 := (list) }}-{{ $.Values.t }}{{ else }}empty{{ end }}x{{ $.Values.z }}{{ with (toJson (print $.Values.m.c)) }}x{{ "lit" }}{{ end }}{{ end }}{{- end }}
{{- define "t15" }}{{ $v0_0 := $.Values.e }}{{- end }}
{{- define "t16" }}-{{ (default "d" (print $.Values.m.c)) }}-{{ (print $.Values.m) }}{{- end }}
{{- define "t17" }}|{{ (kindOf true) }}{{- end }}
{{- define "t18" }}{{ $v0_0 := (toJson (typeOf 3)) }}
{{ true }}{{- end }}
{{- define "t19" }}{{ range $k0, $e0 := (list) }}{{ $e0 = $.Values.m.c }}
{{ $k0 }}{{ if (or $k0 (dict "q" 1)) }}{{ break }}{{ end }}{{ end }}{{ $v0_0 := (list 1 2) }}{{ with "lit" }}{{ range $k1, $e1 := $.Values.m }}{{ $e1 = $k1 }}{{ if (not (len $.Values.l)) }}{{ continue }}{{ end }}{{ end }}-{{ (list 1 2) }} {{ $.Values.s }}{{ end }}{{- end }}
{{- define "t20" }}{{- end }}
{{- define "t21" }} {{ (dict "q" 1) }}{{ $v0_0 := (empty (quote $.Values.m.c)) }}{{- end }}
{{- define "t22" }}-{{ $.Values.l }}{{- end }}
{{- define "t23" }}|{{ (len (list 1)) }}{{ range $k0, $e0 := $.Values.l }}{{ with $.Values.s }}
{{ $e0 }}{{ end }}{{ end }}{{- end }}
{{- define "t24" }}-{{ (not $.Values.missing) }}|{{ (print (quote "lit")) }}
{{ $.Values.m }}{{- end }}
{{- define "t25" }}x{{ (list 1 2) }}{{- end }}
{{- define "t26" }}{{ range $k0, $e0 := $.Values.l }}|{{ $k0 }}{{ else }}empty{{ end }}{{- end }}
{{- define "t27" }}{{ range $k0, $e0 := (until 4) }}{{ range $k1, $e1 := $.Values.m.c }}{{ range $k2, $e2 := (until 4) }}{{ range $k3, $e3 := $.Values.missing }}-{{ $.Values.missing }}x{{ (empty 1) }}{{ if (eq 2 2) }}{{ break }}{{ end }}{{ else }}empty{{ end }}x{{ $k1 }}{{ range $k3, $e3 := (list) }} {{ $k1 }}x{{ $.Values.e }}{{ end }}{{ if (or (quote (dict "q" 1)) 3) }}{{ break }}{{ end }}{{ end }}-{{ (len $.Values.m) }}{{ $k1 = $e1 }}{{ if (eq 2 1) }}{{ continue }}{{ end }}{{ end }}|{{ $k0 }}-{{ $.Values.m.c }}{{ if (eq 2 2) }}{{ break }}{{ end }}{{ else }}empty{{ end }}{{- end }}
{{- define "t28" }}{{ range $k0, $e0 := $.Values.m }}{{ $v1_2 := true }}
{{ (kindOf $.Values.l) }}x{{ 3 }}{{ else }}empty{{ end }}{{- end }}
{{- define "t29" }}
{{ 3 }}{{ range $k0, $e0 := (until 4) }}
{{ (quote $.Values.m) }}{{ $k0 = $e0 }}{{ if (and (dict "q" 1) (toJson $e0)) }}{{ if (not $e0) }}{{ if (or $k0 1) }}|{{ $.Values.m }}
{{ $.Values.m.c }}-{{ $.Values.missing }}{{ end }}x{{ $.Values.z }}{{ $k0 = $.Values.missing }}{{ end }}{{ else if $.Values.s }}|{{ $e0 }}{{ else }}{{ if $.Values.missing }}{{ if (not 1) }}
{{ $.Values.e }}-{{ $k0 }}
{{ (list 1 2) }}{{ else if (default "d" $e0) }}|{{ (quote (quote 1)) }}{{ else }}
{{ (empty $.Values.missing) }}-{{ (list 1 2) }}{{ end }}-{{ $.Values.e }}{{ else }}{{ if (or 1 $k0) }}-{{ $k0 }}x{{ $k0 }} {{ (not $k0) }}{{ else }}
{{ $e0 }}{{ end }}{{ range $k3, $e3 := (list) }} {{ $k3 }}
{{ $e3 }}-{{ (kindOf $k3) }}{{ if (not $.Values.l) }}{{ continue }}{{ end }}{{ end }}{{ if (or $e0 $k0) }} {{ $e0 }} {{ $e0 }}-{{ $k0 }}{{ else if (and $e0 $e0) }}
{{ $k0 }}x{{ $k0 }}{{ end }}{{ end }}{{ if (or $k0 $e0) }}{{ $v3_2 := (not $e0) }}{{ range $k3, $e3 := $.Values.m }}|{{ $e0 }}-{{ $.Values.t }}{{ end }}{{ else }}{{ with $k0 }}x{{ $e0 }}{{ else }}|{{ $e0 }}{{ end }}{{ $v3_2 := (dict "q" 1) }}{{ end }}|{{ $.Values.missing }}{{ end }}{{ end }}{{- end }}
{{- define "t30" }}{{ $v0_0 := (kindOf $.Values.t) }}{{- end }}
{{- define "t31" }}{{ if (or (default "d" $.Values.l) $.Values.t) }}x{{ (print $.Values.missing) }}{{ else if (and $.Values.e (quote "lit")) }}{{ if (and (kindOf true) (empty 3)) }}{{ range $k2, $e2 := (list) }}{{ $v3_2 := $k2 }}{{ end }}{{ else }} {{ (default "d" (quote $.Values.t)) }}{{ range $k2, $e2 := $.Values.l }}{{ $v3_2 := (empty (dict "q" 1)) }}{{ range $k3, $e3 := $.Values.m }}x{{ $k2 }}-{{ $k3 }}|{{ (quote (not $.Values.t)) }}{{ end }}{{ if (list 1 2) }}{{ continue }}{{ end }}{{ else }}empty{{ end }}{{ end }}{{ else }}{{ range $k1, $e1 := $.Values.missing }}{{ $e1 = (dict "q" 1) }}
{{ (dict "q" 1) }}|{{ 1 }}{{ end }}{{ $v1_0 := (not (list 1 2)) }}{{ end }} {{ (kindOf true) }}{{ with $.Values.t }}{{ with "lit" }}x{{ $.Values.l }}{{ else }}{{ range $k2, $e2 := $.Values.l }}{{ with (dict "q" 1) }}|{{ 1 }}-{{ (dict "q" 1) }}{{ end }}{{ if (not $.Values.e) }}{{ break }}{{ end }}{{ end }}{{ range $k2, $e2 := $.Values.missing }}{{ $e2 = $.Values.missing }}{{ if (eq 1 1) }}{{ continue }}{{ end }}{{ end }}{{ end }}-{{ 1 }}{{ $v1_0 := (kindOf 1) }}{{ end }}{{- end }}
{{- define "t32" }}{{ with $.Values.m.c }}{{ with true }} {{ (default "d" (toJson $.Values.missing)) }}{{ end }}{{ with (quote (dict "q" 1)) }} {{ (quote "lit") }}{{ end }}
{{ (dict "q" 1) }}{{ end }}{{- end }}
{{- define "t33" }} {{ $.Values.missing }}-{{ (not (empty $.Values.z)) }}{{- end }}
{{- define "t34" }}{{ $v0_0 := (default "d" $.Values.m.c) }}-{{ $.Values.e }}{{ if (not (quote (not (list 1 2)))) }}{{ if (eq 2 2) }}{{ with "lit" }}{{ $v3_1 := $.Values.m }}{{ else }}
{{ (print $v0_0) }}{{ end }}{{ else }} {{ (quote $v0_0) }}{{ range $k2, $e2 := $.Values.m }}{{ $k2 = (dict "q" 1) }}{{ end }}
{{ "lit" }}{{ end }}{{ if (not $.Values.m) }}|{{ (empty (empty (dict "q" 1))) }} {{ $v0_0 }}|{{ $.Values.e }}{{ end }}{{ with $.Values.m.c }}{{ $v0_0 = $v0_0 }}-{{ (quote $.Values.s) }}{{ else }}{{ if $v0_0 }}{{ $v3_1 := $.Values.t }}|{{ $.Values.l }}{{ else if (or "lit" $v0_0) }}{{ range $k3, $e3 := $.Values.m }}-{{ $.Values.l }}{{ else }}empty{{ end }}{{ end }}{{ $v0_0 = (toJson 1) }}{{ end }}{{ end }}{{- end }}
{{- define "t35" }}{{ $v0_0 := (dict "q" 1) }}{{ with $v0_0 }} {{ (list 1 2) }}|{{ $v0_0 }}{{ end }}{{ with $v0_0 }}{{ $v1_1 := $v0_0 }}{{ else }}x{{ $v0_0 }} {{ $.Values.e }}{{ $v0_0 = $.Values.m }}{{ end }}{{- end }}
{{- define "t36" }}x{{ $.Values.s }}{{ range $k0, $e0 := $.Values.m }}{{ with $.Values.e }}{{ $k0 = $.Values.m.c }}|{{ (print $e0) }}{{ end }}{{ with (len (list 1)) }}-{{ $.Values.missing }}{{ with $.Values.m.c }}-{{ $.Values.m.c }}|{{ 3 }}{{ with (print (list 1 2)) }}-{{ $.Values.e }}{{ end }}{{ end }}{{ with $e0 }}{{ if (not $k0) }}
{{ $e0 }}x{{ (empty $.Values.m) }}{{ else if (not (toJson $k0)) }}|{{ (len $.Values.l) }} {{ $.Values.t }}{{ else }}-{{ 3 }}x{{ (dict "q" 1) }}-{{ $.Values.missing }}{{ end }}{{ end }}{{ else }}{{ with (quote $e0) }}{{ with $.Values.m.c }}-{{ $k0 }}x{{ $.Values.s }}{{ end }}{{ else }} {{ $.Values.m.c }}{{ with $e0 }}x{{ (len $.Values.m) }}{{ else }}|{{ $k0 }}{{ end }}{{ end }}{{ end }}
{{ 1 }}{{ if (and $.Values.e $.Values.l) }}{{ continue }}{{ end }}{{ end }}{{- end }}
{{- define "t37" }}-{{ (not $.Values.l) }}{{- end }}
{{- define "t38" }}{{ range $k0, $e0 := $.Values.m.c }}{{ with (quote true) }}{{ if (not 1) }} {{ "lit" }}{{ $e0 = (print $k0) }}{{ else if (and $e0 $e0) }}
{{ (list 1 2) }}{{ $e0 = $k0 }}{{ else }}{{ with "lit" }}x{{ $.Values.l }}x{{ $.Values.m }} {{ $.Values.t }}{{ end }}
{{ $e0 }} {{ $e0 }}{{ end }}{{ if $e0 }}{{ if (not true) }}|{{ $.Values.t }}{{ else }}
{{ $k0 }} {{ 3 }}{{ end }}{{ range $k3, $e3 := (until 4) }} {{ true }}|{{ 1 }}{{ if (and $.Values.l $e3) }}{{ continue }}{{ end }}{{ end }}{{ else if (and $.Values.m.c (len $.Values.l)) }}{{ $k0 = $.Values.l }}{{ end }}{{ end }}{{ $v1_2 := $.Values.e }}{{ end }}{{ $v0_0 := (list 1 2) }}{{- end }}
{{- define "t39" }}{{ range $k0, $e0 := (list) }}{{ $e0 = 1 }}{{ if (and $k0 $e0) }}{{ break }}{{ end }}{{ end }}{{- end }}
{{- define "t40" }}
{{ $.Values.missing }}{{- end }}
{{- define "t41" }}{{ range $k0, $e0 := (list) }}{{ if (not (list 1 2)) }}{{ if (eq 2 2) }}|{{ $k0 }}{{ $k0 = (dict "q" 1) }}{{ $e0 = $.Values.s }}{{ else if (and (typeOf (kindOf 1)) (list 1 2)) }}{{ $e0 = $.Values.m }}{{ range $k3, $e3 := $.Values.m.c }}
{{ $.Values.z }} {{ $.Values.s }}{{ end }}{{ with (dict "q" 1) }}
{{ $.Values.m.c }}{{ else }} {{ (len $.Values.s) }}x{{ (typeOf $.Values.z) }}x{{ $e0 }}{{ end }}{{ end }}{{ end }}{{ if (not $e0) }}{{ break }}{{ end }}{{ end }}{{- end }}
{{- define "t42" }}{{- end }}
{{- define "t43" }}{{ $v0_0 := (empty $.Values.m) }}{{ $v0_0 = 1 }}{{- end }}
{{- define "t44" }}|{{ $.Values.t }}{{- end }}
{{- define "t45" }}|{{ (kindOf $.Values.missing) }}{{- end }}
{{- define "t46" }}{{ if (not $.Values.l) }}x{{ $.Values.s }}{{ with 1 }}{{ if (not (empty (dict "q" 1))) }}-{{ (empty (typeOf $.Values.l)) }}{{ $v3_0 := $.Values.z }}{{ else }}|{{ (toJson (typeOf $.Values.m)) }}{{ end }}{{ with (typeOf $.Values.s) }}{{ with (typeOf (len $.Values.m)) }}-{{ $.Values.missing }}{{ end }}{{ end }}{{ end }}{{ range $k1, $e1 := (until 4) }} {{ "lit" }}{{ end }}{{ else if (and 3 $.Values.l) }}{{ $v1_0 := $.Values.missing }}{{ end }}{{ $v0_0 := $.Values.t }}x{{ 3 }}{{- end }}
{{- define "t47" }}{{ range $k0, $e0 := $.Values.m.c }}{{ with (len $.Values.s) }}{{ $v2_2 := (typeOf $.Values.z) }}{{ $k0 = 1 }}{{ end }}x{{ $e0 }}{{ end }}{{- end }}
{{- define "t48" }}|{{ (not (dict "q" 1)) }}{{ $v0_0 := $.Values.e }}{{ $v0_1 := $.Values.l }}{{- end }}
{{- define "t49" }}{{ $v0_0 := (typeOf 1) }}{{- end }}
{{- define "t50" }}{{ with "lit" }}{{ range $k1, $e1 := (list) }}{{ $k1 = (empty $e1) }}{{ end }}{{ $v1_0 := (typeOf (print $.Values.t)) }}{{ end }}{{- end }}
{{- define "t51" }}{{ range $k0, $e0 := $.Values.m }}{{ $v1_2 := $k0 }}{{ end }}{{ if (eq 1 1) }} {{ 1 }}{{ else if (eq 2 1) }}{{ with (quote (print $.Values.s)) }}
{{ $.Values.e }}{{ end }}{{ end }}{{- end }}
{{- define "t52" }}{{ with (not (not (dict "q" 1))) }}{{ $v1_0 := $.Values.l }} {{ $v1_0 }}{{ end }}{{- end }}
{{- define "t53" }}
{{ (list 1 2) }}
{{ $.Values.s }} {{ (toJson (len (list 1))) }}{{- end }}
{{- define "t54" }}x{{ (not (kindOf "lit")) }}{{ with $.Values.m.c }}{{ range $k1, $e1 := $.Values.m.c }}
{{ $.Values.e }}{{ else }}empty{{ end }}{{ with (print (len $.Values.s)) }}{{ range $k2, $e2 := (list) }}|{{ (dict "q" 1) }}{{ $v3_2 := $k2 }}{{ else }}empty{{ end }}{{ with (list 1 2) }}{{ else }}{{ with (empty (print $.Values.m)) }}|{{ $.Values.s }}|{{ (kindOf (not true)) }}{{ end }}{{ with (empty (kindOf (list 1 2))) }}x{{ $.Values.l }}
{{ (typeOf (quote "lit")) }}{{ end }}{{ end }}{{ range $k2, $e2 := $.Values.missing }}{{ range $k3, $e3 := $.Values.m }}|{{ $.Values.m }}|{{ (default "d" "lit") }}{{ if (not (not $.Values.t)) }}{{ break }}{{ end }}{{ end }}{{ $v3_2 := $.Values.z }}{{ end }}{{ end }}{{ end }}{{- end }}
{{- define "t55" }}-{{ (print $.Values.m.c) }}{{- end }}
{{- define "t56" }}x{{ $.Values.e }}{{- end }}
{{- define "t57" }}|{{ (print (empty $.Values.l)) }}{{- end }}
{{- define "t58" }}x{{ "lit" }}{{ if (and (default "d" (quote true)) (dict "q" 1)) }}{{ with (default "d" (default "d" "lit")) }}{{ range $k2, $e2 := $.Values.m }}{{ if (eq 2 2) }}|{{ (default "d" (list 1 2)) }}|{{ $k2 }}|{{ (dict "q" 1) }}{{ else if (and (print 1) (default "d" 3)) }}x{{ $e2 }}
{{ $.Values.m }}{{ else }}x{{ (quote true) }}{{ end }}
{{ true }}{{ end }}{{ $v2_0 := $.Values.missing }}x{{ $.Values.z }}{{ end }}{{ else if (not $.Values.s) }}-{{ (len (list 1)) }}
{{ $.Values.m.c }}x{{ $.Values.missing }}{{ else }}
{{ $.Values.missing }}{{ end }}{{- end }}
{{- define "t59" }}{{ range $k0, $e0 := $.Values.l }}
{{ 3 }}
{{ $.Values.s }}
{{ (list 1 2) }}{{ if (typeOf $.Values.z) }}{{ continue }}{{ end }}{{ else }}empty{{ end }}{{ range $k0, $e0 := (list) }}{{ $v1_2 := $e0 }}{{ $v1_3 := (print $.Values.m) }}{{ if $.Values.s }}{{ continue }}{{ end }}{{ end }}{{- end }}
{{- define "t60" }}{{ range $k0, $e0 := (until 4) }}{{ range $k1, $e1 := $.Values.m.c }}{{ $e0 = $.Values.m }}|{{ (toJson "lit") }}{{ $v2_4 := (not (list 1 2)) }}{{ if (and (quote "lit") 3) }}{{ continue }}{{ end }}{{ end }}{{ range $k1, $e1 := $.Values.l }}{{ if $.Values.z }}x{{ $.Values.s }}|{{ $k0 }}{{ range $k3, $e3 := $.Values.missing }} {{ (print $.Values.m.c) }}
{{ $.Values.l }} {{ (len $.Values.s) }}{{ if $.Values.l }}{{ continue }}{{ end }}{{ end }}{{ else if (print (list 1 2)) }}{{ if (eq 2 2) }}-{{ $e1 }}-{{ (default "d" $k1) }}{{ else if (eq 1 1) }} {{ "lit" }}x{{ (dict "q" 1) }}-{{ $.Values.missing }}{{ else }}|{{ (quote $.Values.m.c) }}{{ end }}{{ with (quote $e0) }}|{{ (quote $.Values.m.c) }}|{{ $k1 }}
{{ $e1 }}{{ else }} {{ $.Values.m }}-{{ (empty $.Values.m) }}x{{ $.Values.l }}{{ end }}{{ end }}{{ if (not $.Values.e) }}{{ break }}{{ end }}{{ else }}empty{{ end }}{{ end }}{{- end }}
{{- define "t61" }}{{- end }}
{{- define "t62" }}{{ range $k0, $e0 := $.Values.m.c }} {{ (print "lit") }}{{ $e0 = (list 1 2) }}x{{ (toJson true) }}{{ end }}
{{ (quote (print $.Values.missing)) }}{{- end }}
{{- define "t63" }}{{ with true }}{{ range $k1, $e1 := $.Values.l }}{{ if (and $.Values.missing $.Values.s) }}{{ $v3_2 := (default "d" (list 1 2)) }}{{ end }}{{ if (not (toJson $e1)) }}{{ continue }}{{ end }}{{ end }}{{ $v1_0 := (list 1 2) }}{{ end }}{{ $v0_0 := $.Values.missing }}{{ if (eq 2 2) }}{{ $v1_1 := $v0_0 }}{{ range $k1, $e1 := (until 4) }}{{ $v1_1 = $e1 }}{{ range $k2, $e2 := $.Values.m }}{{ $v0_0 = $v1_1 }}{{ if (not (list 1 2)) }}{{ continue }}{{ end }}{{ end }}-{{ $.Values.s }}{{ else }}empty{{ end }}{{ $v1_1 = $v0_0 }}{{ else if (print "lit") }}{{ range $k1, $e1 := $.Values.m.c }}{{ $v2_3 := $.Values.z }}{{ range $k2, $e2 := $.Values.missing }}{{ with $.Values.m.c }}|{{ 1 }}-{{ $e2 }}{{ end }}{{ $e1 = 1 }}{{ with (kindOf $e2) }}|{{ $k1 }}
{{ $.Values.m.c }}
{{ $e1 }}{{ end }}{{ end }}{{ with (kindOf $e1) }}{{ with (list 1 2) }}x{{ $k1 }}
{{ (dict "q" 1) }}{{ else }}-{{ $k1 }}{{ end }}{{ $v0_0 = $.Values.t }}x{{ $.Values.s }}{{ end }}{{ else }}empty{{ end }}{{ $v0_0 = $.Values.z }}
{{ $v0_0 }}{{ else }}{{ range $k1, $e1 := $.Values.missing }}{{ $v2_3 := $.Values.s }}{{ else }}empty{{ end }}{{ end }}{{- end }}
{{- define "t64" }}{{ range $k0, $e0 := (until 4) }}x{{ $k0 }}{{ end }}{{ if (eq 2 2) }}{{ range $k1, $e1 := $.Values.missing }}{{ if (not (toJson $k1)) }}{{ $v3_2 := $k1 }}{{ if (or $.Values.missing $e1) }}-{{ (print $.Values.m.c) }}x{{ (len $.Values.s) }} {{ $e1 }}{{ end }}{{ else }}{{ $e1 = $k1 }}|{{ (list 1 2) }}{{ end }}-{{ $k1 }}{{ range $k2, $e2 := $.Values.missing }}{{ if (or "lit" $.Values.m.c) }}|{{ $.Values.m.c }}|{{ $.Values.l }}{{ else if (or (default "d" $.Values.m.c) $e2) }}x{{ $k1 }}{{ else }} {{ (print $.Values.e) }}
{{ $k2 }}{{ end }}{{ else }}empty{{ end }}{{ if (or 3 $k1) }}{{ break }}{{ end }}{{ end }}
{{ (typeOf $.Values.m) }}{{ else }}
{{ "lit" }}
{{ (dict "q" 1) }}{{ end }}{{- end }}
{{- define "t65" }}|{{ $.Values.m }}{{ with $.Values.m.c }}{{ if (or (toJson (print $.Values.e)) (len $.Values.s)) }}{{ range $k2, $e2 := $.Values.missing }}{{ range $k3, $e3 := $.Values.l }}x{{ true }} {{ (typeOf $.Values.m.c) }}|{{ (quote 1) }}{{ end }}{{ $k2 = "lit" }}{{ $v3_2 := $.Values.z }}{{ if (eq 1 2) }}{{ break }}{{ end }}{{ end }}{{ else if (typeOf (print true)) }}{{ $v2_0 := $.Values.s }}{{ else }}{{ range $k2, $e2 := $.Values.l }}{{ with (list 1 2) }} {{ $.Values.m }}{{ else }} {{ (list 1 2) }}
{{ $.Values.s }}-{{ $k2 }}{{ end }}{{ if (or (toJson (default "d" "lit")) $k2) }}{{ continue }}{{ end }}{{ else }}empty{{ end }}{{ end }}{{ range $k1, $e1 := $.Values.m }}{{ $v2_2 := $e1 }}{{ range $k2, $e2 := (list) }}-{{ $e1 }}{{ end }}{{ range $k2, $e2 := $.Values.l }}{{ range $k3, $e3 := $.Values.l }}-{{ $.Values.e }}{{ end }}-{{ $.Values.s }}|{{ $.Values.m.c }}{{ if (not (len $.Values.l)) }}{{ continue }}{{ end }}{{ end }}{{ if (and $k1 $v2_2) }}{{ break }}{{ end }}{{ else }}empty{{ end }}{{ else }}-{{ (kindOf (typeOf 1)) }}{{ end }}{{ with (dict "q" 1) }}{{ $v1_0 := $.Values.l }}{{ $v1_0 = $.Values.s }}{{ end }}{{- end }}
{{- define "t66" }}{{ if (default "d" (kindOf $.Values.l)) }}{{ if (eq 2 1) }}-{{ (not (dict "q" 1)) }} {{ $.Values.missing }}{{ end }}{{ if (not (print (not (dict "q" 1)))) }}|{{ 1 }}{{ end }}{{ if (eq 2 1) }}{{ $v2_0 := $.Values.s }}{{ range $k2, $e2 := $.Values.missing }}{{ $e2 = $k2 }}{{ if $e2 }}-{{ $.Values.missing }} {{ (typeOf $.Values.z) }}{{ else }} {{ true }} {{ $.Values.e }}{{ end }}{{ end }}{{ else if (or (not true) $.Values.t) }} {{ "lit" }}{{ $v2_0 := 1 }}{{ $v2_1 := $v2_0 }}{{ end }}{{ end }} {{ $.Values.l }}{{ with (quote (kindOf $.Values.e)) }}{{ range $k1, $e1 := $.Values.m.c }}
{{ $.Values.m }}{{ end }}x{{ (toJson $.Values.l) }}{{ end }}{{- end }}
{{- define "t67" }}
{{ (len $.Values.m) }}{{- end }}
{{- define "t68" }}{{- end }}
{{- define "t69" }}x{{ 3 }}{{- end }}
{{- define "t70" }}{{ if (or (quote $.Values.z) $.Values.m) }}{{ else }}{{ if (typeOf $.Values.m.c) }}{{ range $k2, $e2 := (list) }}{{ range $k3, $e3 := $.Values.m.c }}x{{ (dict "q" 1) }}{{ end }}{{ with (empty $.Values.z) }}
{{ (quote (kindOf $k2)) }}{{ end }}{{ if $.Values.m.c }}{{ break }}{{ end }}{{ end }}{{ end }}x{{ (len (list 1)) }}{{ end }}{{ if (and $.Values.missing (list 1 2)) }}{{ if (and (empty (empty $.Values.missing)) (empty $.Values.l)) }}{{ if (and (dict "q" 1) (toJson (list 1 2))) }}{{ with (not true) }}-{{ (quote (list 1 2)) }}
{{ (typeOf 1) }}|{{ "lit" }}{{ else }}x{{ 3 }}{{ end }}
{{ (kindOf (typeOf "lit")) }}{{ else }}x{{ (dict "q" 1) }}{{ end }}{{ if (eq 1 2) }}{{ with $.Values.s }}-{{ $.Values.e }} {{ (print (default "d" 3)) }}x{{ (dict "q" 1) }}{{ end }}{{ else if (or (kindOf $.Values.t) (print (kindOf $.Values.missing))) }}|{{ (dict "q" 1) }}{{ end }}{{ else if (not (default "d" $.Values.missing)) }}{{ range $k2, $e2 := $.Values.m.c }}{{ if (len $.Values.m) }}|{{ $k2 }} {{ $e2 }}{{ end }}{{ $v3_2 := (not $k2) }}{{ $v3_3 := $.Values.z }}{{ else }}empty{{ end }}{{ end }}{{ if (and $.Values.m $.Values.m.c) }} {{ (typeOf 3) }}{{ $v2_0 := (typeOf $.Values.t) }}{{ end }}{{ else if (list 1 2) }}-{{ (toJson 1) }}{{ else }} {{ 3 }} {{ (quote (empty $.Values.m)) }}{{ end }}{{- end }}
{{- define "t71" }}{{ range $k0, $e0 := $.Values.m }} {{ $e0 }}-{{ $.Values.s }}{{ end }}{{ with $.Values.m }}{{ if (eq 1 2) }}{{ $v2_0 := $.Values.m.c }}|{{ 1 }}
{{ 3 }}{{ else if (kindOf (default "d" $.Values.s)) }}{{ with (print (quote (dict "q" 1))) }}{{ else }}x{{ (dict "q" 1) }}{{ $v3_0 := (toJson (not (dict "q" 1))) }}{{ end }}{{ if (or (quote $.Values.m.c) (toJson $.Values.l)) }} {{ $.Values.t }}{{ $v3_0 := (print $.Values.e) }}{{ else if (not $.Values.s) }}{{ if $.Values.z }}-{{ $.Values.z }} {{ (list 1 2) }} {{ (not 1) }}{{ else if (and $.Values.t (empty (not (dict "q" 1)))) }}
{{ (print $.Values.z) }} {{ (dict "q" 1) }}{{ end }}x{{ (len $.Values.s) }}{{ $v3_0 := true }}{{ else }} {{ (default "d" $.Values.missing) }}{{ $v3_0 := (not (quote 3)) }}{{ end }}{{ else }}x{{ "lit" }} {{ $.Values.m.c }}|{{ $.Values.e }}{{ end }}{{ end }}{{- end }}
{{- define "t72" }}{{ if (or $.Values.s $.Values.s) }}
{{ (not (quote $.Values.l)) }}
{{ (empty "lit") }}{{ $v1_0 := (empty $.Values.z) }}{{ else }}{{ if (eq 1 1) }}{{ if (and $.Values.missing $.Values.m.c) }}{{ $v3_0 := $.Values.missing }}{{ $v3_0 = $v3_0 }}{{ else if (default "d" (typeOf 1)) }}{{ with $.Values.z }}x{{ $.Values.m.c }}
{{ $.Values.m.c }}
{{ "lit" }}{{ end }}{{ with (quote (typeOf $.Values.m.c)) }}x{{ $.Values.s }}|{{ 3 }}-{{ (empty (default "d" $.Values.m.c)) }}{{ else }}|{{ $.Values.m.c }}|{{ $.Values.m }}{{ end }}{{ else }}{{ with 3 }}|{{ $.Values.missing }}{{ end }}{{ if (not $.Values.l) }}|{{ (len (list 1)) }}{{ else }}x{{ $.Values.s }}{{ end }}{{ $v3_0 := (list 1 2) }}{{ end }}{{ else if (eq 2 1) }} {{ $.Values.z }}{{ else }}{{ $v2_0 := (len (list 1)) }}|{{ $v2_0 }}{{ $v2_0 = $v2_0 }}{{ end }}{{ if 3 }}{{ if (and (toJson (toJson $.Values.t)) $.Values.s) }}{{ range $k3, $e3 := (until 4) }}
{{ (list 1 2) }}x{{ "lit" }} {{ $.Values.missing }}{{ if (and $.Values.missing 3) }}{{ break }}{{ end }}{{ end }}{{ range $k3, $e3 := $.Values.missing }} {{ $e3 }}{{ if (or $.Values.m $.Values.m.c) }}{{ continue }}{{ end }}{{ end }}{{ $v3_0 := (kindOf $.Values.l) }}{{ else }}{{ if (or (dict "q" 1) $.Values.m) }}x{{ (toJson $.Values.t) }}{{ else if (and $.Values.m.c true) }}-{{ (print $.Values.m) }}x{{ $.Values.m }}
{{ (toJson 3) }}{{ end }}{{ end }}{{ with (default "d" $.Values.t) }}
{{ (typeOf (typeOf $.Values.t)) }}|{{ $.Values.missing }}{{ end }}{{ with 1 }}{{ range $k3, $e3 := (until 4) }}-{{ $k3 }}|{{ $k3 }}{{ if $k3 }}{{ continue }}{{ end }}{{ else }}empty{{ end }}{{ end }}{{ else }}{{ range $k2, $e2 := $.Values.m }}{{ with 3 }}x{{ (toJson $k2) }}|{{ $k2 }}{{ end }}{{ $v3_2 := $e2 }}{{ end }}{{ end }}{{ end }}{{ range $k0, $e0 := (list) }}{{ range $k1, $e1 := $.Values.l }}{{ with (typeOf $e0) }}{{ range $k3, $e3 := $.Values.missing }}-{{ $.Values.t }}
{{ (not 1) }}x{{ $e0 }}{{ end }}{{ end }}{{ else }}empty{{ end }}{{ $k0 = $.Values.m.c }}{{ else }}empty{{ end }}{{- end }}
{{- define "t73" }}{{- end }}
{{- define "t74" }}|{{ $.Values.l }}{{ range $k0, $e0 := $.Values.l }}x{{ $.Values.e }}x{{ $k0 }}{{ with "lit" }}{{ $v2_2 := (typeOf (list 1 2)) }}{{ $v2_2 = $k0 }}{{ with $k0 }} {{ true }}-{{ $e0 }}{{ $v3_3 := true }}{{ end }}{{ end }}{{ end }}{{- end }}
{{- define "t75" }}{{ with (not $.Values.m.c) }}{{ $v1_0 := (list 1 2) }}{{ $v1_0 = $v1_0 }}|{{ (kindOf (len $.Values.l)) }}{{ end }}{{- end }}
{{- define "t76" }}
{{ (typeOf (kindOf (dict "q" 1))) }}x{{ (not "lit") }}{{- end }}
{{- define "t77" }}
{{ true }}{{- end }}
{{- define "t78" }}{{ range $k0, $e0 := $.Values.missing }}{{ if (not $.Values.m.c) }}{{ range $k2, $e2 := $.Values.m }}{{ $e2 = $.Values.missing }}{{ if (not "lit") }}{{ break }}{{ end }}{{ end }}{{ $v2_2 := (empty (list 1 2)) }}-{{ $e0 }}{{ end }}{{ $k0 = $.Values.t }}|{{ $.Values.l }}{{ if (eq 1 2) }}{{ continue }}{{ end }}{{ end }}{{ if (eq 2 1) }}
{{ (not 1) }}{{ if (not (default "d" (toJson $.Values.m.c))) }}{{ range $k2, $e2 := $.Values.l }}|{{ (list 1 2) }}{{ range $k3, $e3 := $.Values.m }} {{ (list 1 2) }}-{{ $e2 }}{{ if (or (len $.Values.m) (not $.Values.m)) }}{{ break }}{{ end }}{{ end }}x{{ 3 }}{{ end }}{{ else }}{{ with (list 1 2) }}{{ if (or $.Values.z $.Values.t) }}-{{ (toJson $.Values.l) }}{{ else if (or $.Values.m.c 1) }}
{{ true }}-{{ $.Values.l }}{{ end }}{{ end }}{{ range $k2, $e2 := (list) }}{{ range $k3, $e3 := (list) }}-{{ $e3 }}{{ end }}{{ $e2 = 3 }}
{{ $.Values.z }}{{ end }}{{ end }}{{ else }}{{ if (and (list 1 2) $.Values.m) }}{{ $v2_0 := (toJson $.Values.missing) }}{{ else }}{{ $v2_0 := (len $.Values.l) }}{{ if (not (typeOf $.Values.e)) }}x{{ 3 }}{{ if (eq 2 1) }}-{{ (dict "q" 1) }}
{{ $.Values.l }}{{ else if (not $.Values.missing) }}
{{ $.Values.missing }}{{ end }}{{ if (eq 2 2) }}
{{ $v2_0 }}x{{ 1 }}-{{ (toJson (quote true)) }}{{ end }}{{ else }}{{ $v3_1 := (list 1 2) }}{{ $v2_0 = (typeOf $.Values.m) }}{{ end }}{{ $v2_0 = $v2_0 }}{{ end }}
{{ (not 3) }}{{ end }}{{- end }}
{{- define "t79" }}{{ $v0_0 := (quote (toJson $.Values.m.c)) }}|{{ true }}-{{ $.Values.s }}{{- end }}
{{- define "t80" }}{{ $v0_0 := $.Values.m }}{{- end }}
{{- define "t81" }}{{ range $k0, $e0 := $.Values.m.c }}|{{ $.Values.m.c }}{{ range $k1, $e1 := $.Values.m.c }}|{{ (list 1 2) }}{{ end }}{{ with $k0 }}{{ with (toJson (toJson "lit")) }} {{ $e0 }}{{ else }}{{ with (len $.Values.s) }}x{{ $k0 }}{{ end }}{{ with $e0 }} {{ (dict "q" 1) }}{{ else }}|{{ $.Values.m.c }}|{{ 3 }} {{ (default "d" $k0) }}{{ end }}
{{ $e0 }}{{ end }}{{ end }}{{ end }}{{ with $.Values.missing }}{{ with (print $.Values.z) }} {{ (default "d" $.Values.s) }}{{ with $.Values.e }}|{{ (default "d" (not true)) }}{{ end }}{{ end }}{{ range $k1, $e1 := $.Values.m }}{{ if $.Values.missing }}{{ if (and $e1 (list 1 2)) }}x{{ $.Values.l }}{{ end }}{{ with $.Values.s }}|{{ (list 1 2) }}
{{ (dict "q" 1) }}x{{ $k1 }}{{ end }}x{{ (default "d" $k1) }}{{ else if (eq 1 2) }}{{ with $k1 }}|{{ $e1 }}{{ else }}-{{ $.Values.m }}x{{ $.Values.missing }}-{{ true }}{{ end }} {{ $e1 }}{{ else }}{{ $v3_2 := $.Values.m.c }}{{ end }}{{ end }}{{ with $.Values.e }}|{{ $.Values.m.c }}-{{ (default "d" $.Values.z) }} {{ (kindOf (default "d" $.Values.t)) }}{{ else }}{{ with (not "lit") }}{{ if (eq 1 2) }}x{{ (print $.Values.s) }}
{{ $.Values.e }}
{{ (quote (list 1 2)) }}{{ else if (or (quote $.Values.m.c) $.Values.t) }}|{{ (dict "q" 1) }}-{{ (len $.Values.m) }} {{ (quote (len $.Values.m)) }}{{ end }}{{ $v3_0 := (kindOf $.Values.m) }}{{ $v3_0 = $.Values.m }}{{ end }}
{{ 3 }}{{ end }}{{ else }}{{ range $k1, $e1 := $.Values.m.c }}{{ if $e1 }}{{ range $k3, $e3 := $.Values.m.c }}
{{ $e3 }}-{{ $.Values.t }}|{{ (list 1 2) }}{{ else }}empty{{ end }}{{ with (len $.Values.m) }}x{{ (print $k1) }}{{ end }}{{ with 3 }}|{{ $.Values.missing }}|{{ $.Values.t }}{{ end }}{{ else }}{{ with (list 1 2) }}
{{ "lit" }}{{ end }} {{ $.Values.m }}{{ end }}{{ $v2_2 := (list 1 2) }}{{ range $k2, $e2 := $.Values.m }}{{ $v3_5 := $.Values.missing }}{{ else }}empty{{ end }}{{ if (or $.Values.z $v2_2) }}{{ continue }}{{ end }}{{ end }}{{ end }}{{- end }}
{{- define "t82" }}{{ $v0_0 := (dict "q" 1) }}{{- end }}
{{- define "t83" }}{{ with (default "d" (print $.Values.e)) }}{{ $v1_0 := "lit" }}{{ else }}{{ if (and (kindOf $.Values.missing) $.Values.e) }}{{ with (default "d" $.Values.s) }}{{ range $k3, $e3 := (list) }}|{{ $k3 }}{{ end }}{{ end }}{{ $v2_0 := (print $.Values.l) }}|{{ $v2_0 }}{{ else }} {{ (empty (toJson $.Values.e)) }}{{ end }}{{ end }}{{ range $k0, $e0 := $.Values.missing }}|{{ $e0 }}{{ $v1_2 := (quote $k0) }}{{ end }}{{- end }}
{{- define "t84" }}x{{ (default "d" 3) }}-{{ 3 }}-{{ $.Values.e }}{{- end }}
{{- define "t85" }}{{ range $k0, $e0 := $.Values.l }}-{{ $.Values.s }}{{ if (not true) }}
{{ (print (quote (dict "q" 1))) }}{{ end }}{{ else }}empty{{ end }}
{{ $.Values.z }}{{- end }}
{{- define "t86" }}{{ range $k0, $e0 := $.Values.m.c }}{{ if (quote $.Values.l) }}-{{ 1 }}{{ $v2_2 := (print 1) }}{{ end }}{{ else }}empty{{ end }}{{- end }}
{{- define "t87" }}-{{ (list 1 2) }}{{ range $k0, $e0 := $.Values.m.c }}-{{ $.Values.t }}{{ $v1_2 := (not $e0) }}{{ end }}x{{ $.Values.e }}{{- end }}
{{- define "t88" }}{{ $v0_0 := (kindOf 1) }}{{ with (dict "q" 1) }}{{ $v0_0 = $.Values.t }}{{ $v0_0 = $v0_0 }}{{ end }}-{{ (empty $v0_0) }}{{- end }}
{{- define "t89" }}{{ with $.Values.l }}{{ with (print (print $.Values.l)) }}
{{ (default "d" $.Values.t) }}
{{ (not $.Values.m.c) }}{{ else }}{{ $v2_0 := 1 }}{{ range $k2, $e2 := $.Values.l }}{{ if (default "d" (toJson (dict "q" 1))) }} {{ (dict "q" 1) }}{{ else }}
{{ $v2_0 }}{{ end }}{{ if (and $.Values.l $.Values.l) }}{{ continue }}{{ end }}{{ end }}{{ end }}{{ $v1_0 := $.Values.missing }}{{ end }}{{- end }}
{{- define "t90" }}{{ $v0_0 := (typeOf true) }}{{- end }}
{{- define "t91" }}x{{ (typeOf (kindOf (dict "q" 1))) }}{{ with $.Values.m.c }}{{ range $k1, $e1 := $.Values.m.c }}
{{ $e1 }}{{ end }}{{ end }}{{- end }}
{{- define "t92" }}-{{ (empty 1) }}{{- end }}
{{- define "t93" }}x{{ $.Values.e }}{{- end }}
{{- define "t94" }}{{ with (print (kindOf $.Values.z)) }} {{ (empty (print "lit")) }}{{ if (and (kindOf (not $.Values.e)) 1) }}{{ $v2_0 := 3 }}{{ else if (eq 2 2) }}{{ $v2_0 := $.Values.m }}{{ with 3 }}
{{ $.Values.l }} {{ $v2_0 }}{{ end }}
{{ $v2_0 }}{{ else }} {{ $.Values.e }}{{ end }}{{ else }}{{ range $k1, $e1 := (list) }}-{{ (quote (empty $.Values.s)) }}{{ if $k1 }}{{ if (or "lit" (list 1 2)) }}x{{ true }}{{ else if (and $.Values.m.c (kindOf $.Values.m.c)) }}-{{ $.Values.m.c }}{{ end }}{{ end }}{{ if 3 }}{{ continue }}{{ end }}{{ end }}{{ end }}
{{ $.Values.missing }}{{- end }}
{{- define "t95" }}{{ $v0_0 := (kindOf (kindOf "lit")) }}{{- end }}
{{- define "t96" }}{{- end }}
{{- define "t97" }}{{ $v0_0 := (not (toJson 1)) }}|{{ $v0_0 }}{{- end }}
{{- define "t98" }}x{{ "lit" }}{{- end }}
{{- define "t99" }}{{ range $k0, $e0 := $.Values.m }}{{ $k0 = (list 1 2) }} {{ $.Values.z }}{{ else }}empty{{ end }}{{ $v0_0 := (typeOf $.Values.missing) }}{{- end }}
{{- define "t100" }}{{ $v0_0 := (list 1 2) }}{{- end }}
{{- define "t101" }}{{ with 3 }}{{ range $k1, $e1 := (until 4) }}x{{ $.Values.t }}{{ if (not (not $.Values.m.c)) }} {{ 3 }}{{ else if (and (not (kindOf $.Values.e)) $.Values.z) }}{{ $v3_2 := $.Values.z }}-{{ $k1 }}{{ range $k3, $e3 := (until 4) }}
{{ $.Values.m }}x{{ $.Values.s }} {{ 3 }}{{ else }}empty{{ end }}{{ end }}{{ if (eq 1 1) }}{{ with (print $.Values.missing) }}|{{ true }}{{ else }}
{{ 3 }}{{ end }}{{ else if (eq 1 2) }}|{{ $.Values.m.c }}{{ with 1 }}-{{ "lit" }}-{{ 3 }}
{{ (typeOf $.Values.s) }}{{ else }}|{{ "lit" }}{{ end }}{{ else }}{{ with $.Values.z }}
{{ (dict "q" 1) }}|{{ $.Values.missing }}-{{ $.Values.e }}{{ else }}|{{ $.Values.t }}
{{ $.Values.s }}{{ end }}{{ $v3_2 := true }}{{ $e1 = $.Values.s }}{{ end }}{{ if (or $.Values.missing 1) }}{{ break }}{{ end }}{{ else }}empty{{ end }}{{ else }}|{{ $.Values.l }}{{ with (empty (dict "q" 1)) }}{{ if (and (typeOf (len (list 1))) $.Values.missing) }}{{ $v3_0 := 1 }}{{ $v3_1 := $.Values.m }}{{ else if (default "d" (list 1 2)) }}{{ range $k3, $e3 := $.Values.l }}|{{ $e3 }}x{{ $k3 }}{{ end }}{{ if (not (print 3)) }}-{{ $.Values.e }}{{ else if (not (quote (default "d" $.Values.t))) }}
{{ 3 }}x{{ (typeOf true) }}{{ end }}{{ $v3_0 := (kindOf (toJson (dict "q" 1))) }}{{ else }}{{ with $.Values.missing }} {{ (dict "q" 1) }}-{{ $.Values.m }}{{ end }}{{ end }}{{ else }} {{ (print (empty $.Values.m)) }}{{ end }}x{{ 3 }}{{ end }}{{ range $k0, $e0 := (until 4) }}{{ $v1_2 := "lit" }}-{{ (list 1 2) }} {{ (toJson (print $k0)) }}{{ else }}empty{{ end }}{{- end }}
{{- define "t102" }}{{ if (default "d" (typeOf $.Values.missing)) }}-{{ $.Values.t }}
{{ $.Values.s }}{{ else if (or true 1) }}{{ $v1_0 := $.Values.missing }}{{ else }}{{ with $.Values.z }}{{ end }}{{ end }}{{ with $.Values.m }}{{ with $.Values.missing }}{{ range $k2, $e2 := $.Values.l }}
{{ $.Values.e }}{{ if (and (len $.Values.s) $e2) }}|{{ (list 1 2) }}{{ else }}x{{ $.Values.m }}|{{ $e2 }} {{ $.Values.missing }}{{ end }}{{ $e2 = $k2 }}{{ if $e2 }}{{ break }}{{ end }}{{ else }}empty{{ end }}{{ end }}x{{ $.Values.z }}{{ end }}{{- end }}
{{- define "t103" }}{{ $v0_0 := (not (empty "lit")) }}{{- end }}
{{- define "t104" }}{{ range $k0, $e0 := (list) }}|{{ $k0 }}{{ range $k1, $e1 := $.Values.m.c }}{{ if (or (list 1 2) $.Values.s) }}{{ range $k3, $e3 := $.Values.l }}-{{ $e0 }}-{{ $.Values.z }}{{ end }}{{ $v3_4 := $.Values.e }}{{ $k0 = 3 }}{{ else if (len $.Values.m) }}{{ if (or $k0 (toJson $e0)) }} {{ $e1 }}x{{ $.Values.l }} {{ $e0 }}{{ else }}|{{ (print "lit") }} {{ $e0 }}{{ end }}{{ else }}{{ $v3_4 := $k1 }}x{{ (print true) }}{{ $v3_4 = $.Values.z }}{{ end }}{{ range $k2, $e2 := $.Values.l }}|{{ $.Values.m.c }}{{ if (and (empty $k1) $e0) }}{{ break }}{{ end }}{{ end }}{{ $v2_4 := (quote $e1) }}{{ if (not $.Values.m) }}{{ break }}{{ end }}{{ end }}|{{ (print $k0) }}{{ end }} {{ (len $.Values.m) }}{{ with $.Values.missing }}{{ $v1_0 := $.Values.z }}|{{ (list 1 2) }}{{ else }}|{{ (dict "q" 1) }}{{ $v1_0 := $.Values.s }}{{ $v1_1 := "lit" }}{{ end }}{{- end }}
{{- define "t105" }}{{ with (not (len $.Values.l)) }}{{ with (empty 1) }}{{ with $.Values.s }} {{ $.Values.z }}{{ range $k3, $e3 := $.Values.m.c }}
{{ $k3 }}|{{ (default "d" $.Values.m.c) }}-{{ $k3 }}{{ else }}empty{{ end }}{{ else }}|{{ $.Values.t }}{{ end }}{{ end }}-{{ $.Values.s }}{{ else }}x{{ (kindOf (toJson true)) }}{{ end }}
{{ (quote (print (dict "q" 1))) }}{{- end }}
{{- define "t106" }} {{ $.Values.m.c }}{{- end }}
{{- define "t107" }}{{ $v0_0 := (typeOf (list 1 2)) }}{{ $v0_1 := $v0_0 }}{{ with (not $v0_0) }}{{ if (eq 2 2) }}{{ if (and 1 3) }} {{ $.Values.z }} {{ $.Values.e }}{{ else if (or $v0_0 1) }}{{ range $k3, $e3 := (list) }} {{ true }}{{ end }} {{ $v0_0 }}-{{ (default "d" (toJson (dict "q" 1))) }}{{ end }}{{ else }}{{ $v2_2 := true }}{{ $v2_3 := $.Values.m.c }}|{{ $.Values.e }}{{ end }}{{ with (list 1 2) }}{{ $v0_1 = $.Values.l }}{{ with (list 1 2) }}{{ $v0_0 = $.Values.e }}{{ $v3_2 := $v0_1 }}{{ if (and $v3_2 (dict "q" 1)) }}x{{ (dict "q" 1) }}
{{ (quote (kindOf $.Values.t)) }}-{{ $.Values.s }}{{ else if (print $.Values.l) }}
{{ (empty $v0_0) }}-{{ $v0_1 }} {{ 3 }}{{ end }}{{ end }}{{ end }}{{ end }}{{- end }}
{{- define "t108" }}{{ if (print (empty $.Values.missing)) }}{{ if (and (not $.Values.s) (default "d" (quote (dict "q" 1)))) }}{{ $v2_0 := $.Values.l }}{{ $v2_1 := (list 1 2) }}-{{ $v2_1 }}{{ else if (not $.Values.l) }}{{ range $k2, $e2 := (list) }}
{{ 1 }}{{ range $k3, $e3 := $.Values.m }}
{{ $.Values.m }}x{{ (default "d" (print (list 1 2))) }}{{ else }}empty{{ end }}{{ end }}|{{ (print (print $.Values.e)) }}{{ with (list 1 2) }}{{ $v3_0 := 1 }}{{ if $.Values.missing }}|{{ $.Values.s }}{{ else }}|{{ $v3_0 }} {{ $v3_0 }} {{ $v3_0 }}{{ end }}{{ with $.Values.t }}-{{ $.Values.m.c }}{{ end }}{{ end }}{{ else }} {{ (toJson $.Values.e) }} {{ $.Values.t }} {{ $.Values.s }}{{ end }}{{ if (eq 1 1) }}|{{ (len $.Values.s) }}{{ if (not (print (list 1 2))) }}{{ if (eq 1 1) }}|{{ (default "d" (typeOf $.Values.e)) }}{{ end }}{{ with (toJson (dict "q" 1)) }}x{{ true }} {{ (not $.Values.t) }}{{ else }}
{{ (empty (print $.Values.s)) }}
{{ $.Values.m }}{{ end }}{{ else }}
{{ $.Values.m.c }}{{ end }}{{ end }}{{ else }}{{ with (len $.Values.m) }}{{ range $k2, $e2 := $.Values.m }}{{ $e2 = "lit" }}{{ else }}empty{{ end }}{{ with 3 }}{{ range $k3, $e3 := $.Values.m.c }}
{{ $k3 }}{{ if (not $.Values.missing) }}{{ continue }}{{ end }}{{ else }}empty{{ end }}{{ else }}{{ with (default "d" (toJson $.Values.e)) }} {{ (toJson 3) }}
{{ (print $.Values.t) }}-{{ true }}{{ else }}x{{ 1 }} {{ $.Values.m }}-{{ (list 1 2) }}{{ end }}{{ end }}{{ else }}
{{ (typeOf $.Values.s) }}{{ with (kindOf (len (list 1))) }}{{ $v3_0 := (print (kindOf "lit")) }}{{ else }}{{ range $k3, $e3 := $.Values.l }}|{{ $.Values.t }}{{ end }}|{{ (default "d" (not $.Values.t)) }}{{ end }}{{ end }}{{ with (print $.Values.l) }}{{ end }}
{{ true }}{{ end }}{{- end }}
{{- define "t109" }}{{ if (eq 1 2) }}
{{ (toJson $.Values.s) }}-{{ (quote (default "d" $.Values.s)) }}{{ else }}{{ with $.Values.m }}{{ if (not (len (list 1))) }}{{ if (or 3 $.Values.t) }} {{ (kindOf (typeOf 1)) }}|{{ (list 1 2) }}{{ end }} {{ (typeOf (quote "lit")) }}x{{ $.Values.z }}{{ else if (and (toJson (default "d" $.Values.z)) (len $.Values.s)) }}{{ $v3_0 := $.Values.missing }}{{ $v3_0 = $v3_0 }}{{ end }}{{ with (len (list 1)) }}-{{ $.Values.m.c }}{{ else }}{{ $v3_0 := $.Values.e }}{{ $v3_0 = (empty $.Values.m) }}{{ $v3_0 = $v3_0 }}{{ end }}{{ end }}|{{ true }}{{ with (empty $.Values.m) }}{{ if (and (quote $.Values.s) (toJson (list 1 2))) }}{{ range $k3, $e3 := $.Values.m.c }} {{ $.Values.m }}x{{ (empty $e3) }}-{{ $.Values.missing }}{{ end }}{{ range $k3, $e3 := $.Values.m.c }}-{{ (toJson true) }}x{{ $e3 }}-{{ $.Values.l }}{{ if (and $e3 1) }}{{ break }}{{ end }}{{ end }}{{ else }}{{ range $k3, $e3 := (list) }} {{ $e3 }}{{ if (and $.Values.e $.Values.s) }}{{ break }}{{ end }}{{ end }}{{ range $k3, $e3 := $.Values.m }}|{{ (print 1) }} {{ true }}|{{ $k3 }}{{ end }}{{ end }}x{{ 3 }}{{ with (toJson $.Values.l) }}{{ if (eq 1 1) }}x{{ (not (len $.Values.l)) }}-{{ (print (not $.Values.s)) }}|{{ (print (toJson (dict "q" 1))) }}{{ else if (and $.Values.missing $.Values.t) }}|{{ (toJson (dict "q" 1)) }}x{{ (kindOf (default "d" $.Values.s)) }}{{ end }}{{ end }}{{ end }}{{ end }}
{{ (not (empty $.Values.m.c)) }}{{ with $.Values.l }}x{{ $.Values.s }}|{{ (kindOf (empty $.Values.missing)) }}{{ end }}{{- end }}
{{- define "t110" }} {{ (dict "q" 1) }} {{ (empty (len $.Values.m)) }}{{ range $k0, $e0 := $.Values.l }}|{{ (not (print $.Values.s)) }}{{ range $k1, $e1 := (list) }}-{{ 3 }}{{ else }}empty{{ end }}x{{ (print (list 1 2)) }}{{ else }}empty{{ end }}{{- end }}
{{- define "t111" }}{{ with $.Values.l }}{{ with $.Values.m }}{{ with (default "d" true) }}{{ with "lit" }}-{{ (dict "q" 1) }}{{ else }}
{{ (len $.Values.s) }} {{ (len $.Values.s) }}-{{ $.Values.s }}{{ end }}{{ $v3_0 := $.Values.s }}{{ end }}x{{ $.Values.l }}{{ end }}{{ end }}{{- end }}
{{- define "t112" }}
{{ $.Values.missing }}{{ if (default "d" (list 1 2)) }}{{ if (or (empty $.Values.m.c) true) }}x{{ $.Values.m.c }}-{{ $.Values.e }}{{ else if (or $.Values.missing (not $.Values.t)) }}{{ $v2_0 := (kindOf (len $.Values.s)) }}-{{ $.Values.z }}{{ if $.Values.m.c }}{{ with (print (quote $.Values.missing)) }}|{{ $v2_0 }}-{{ (dict "q" 1) }}|{{ (not $.Values.m) }}{{ else }}|{{ $v2_0 }}{{ end }}{{ end }}{{ end }}x{{ (kindOf (typeOf $.Values.m.c)) }} {{ 3 }}{{ else if (eq 1 1) }}-{{ (print $.Values.m.c) }} {{ "lit" }}{{ else }}{{ with $.Values.missing }} {{ $.Values.t }}-{{ $.Values.m }}{{ else }}-{{ (print $.Values.missing) }}-{{ (empty (toJson true)) }}{{ end }}x{{ (toJson (toJson true)) }}{{ end }}{{ $v0_0 := $.Values.m }}{{- end }}
{{- define "t113" }}
{{ (not (quote $.Values.t)) }}{{- end }}
{{- define "t114" }}x{{ $.Values.l }}{{- end }}
{{- define "t115" }}{{ range $k0, $e0 := $.Values.m }}{{ $v1_2 := $e0 }}{{ with $k0 }}{{ with $.Values.e }}{{ $v3_3 := $v1_2 }}{{ end }}{{ if (or $v1_2 $e0) }} {{ $e0 }}{{ else if $.Values.m.c }}{{ range $k3, $e3 := $.Values.l }}
{{ $k3 }}
{{ $.Values.s }} {{ $k0 }}{{ end }}{{ range $k3, $e3 := $.Values.l }}
{{ $.Values.m }}
{{ $e0 }}{{ else }}empty{{ end }}x{{ $e0 }}{{ else }}{{ $k0 = $v1_2 }}{{ end }}{{ $e0 = $.Values.e }}{{ end }}{{ if (or $k0 $k0) }}{{ continue }}{{ end }}{{ else }}empty{{ end }} {{ $.Values.l }}{{- end }}
{{- define "t116" }}{{ with 1 }}{{ $v1_0 := $.Values.missing }}{{ else }}
{{ (toJson 1) }}{{ end }}{{ $v0_0 := "lit" }}x{{ $v0_0 }}{{- end }}
{{- define "t117" }}x{{ (len $.Values.m) }}{{- end }}
{{- define "t118" }}{{ $v0_0 := (empty (typeOf $.Values.e)) }}{{ range $k0, $e0 := $.Values.m }}{{ range $k1, $e1 := $.Values.m.c }}
{{ $.Values.e }}{{ end }}{{ with $.Values.l }}{{ range $k2, $e2 := $.Values.missing }}|{{ (not 3) }}{{ $v0_0 = (empty $.Values.z) }}{{ end }}{{ with $.Values.m }}{{ with $e0 }}x{{ $.Values.m }} {{ "lit" }}{{ end }}{{ with (kindOf $.Values.l) }} {{ $e0 }}
{{ $k0 }}{{ end }}{{ $e0 = $k0 }}{{ end }}{{ end }}{{ range $k1, $e1 := $.Values.l }}{{ with (dict "q" 1) }}
{{ (list 1 2) }}{{ range $k3, $e3 := $.Values.m }}
{{ (toJson $.Values.s) }}{{ end }}{{ end }}-{{ $.Values.missing }}{{ range $k2, $e2 := $.Values.l }}{{ with $.Values.s }} {{ (list 1 2) }}{{ else }}x{{ (toJson (print $k0)) }}{{ end }}{{ if (not $.Values.z) }}{{ continue }}{{ end }}{{ end }}{{ else }}empty{{ end }}{{ if (or (quote $.Values.t) (list 1 2)) }}{{ break }}{{ end }}{{ end }}{{ if (eq 1 1) }}{{ $v1_1 := $v0_0 }}{{ else }}{{ range $k1, $e1 := $.Values.m.c }}{{ $v2_3 := (dict "q" 1) }}{{ end }}
{{ (default "d" (print $.Values.s)) }}{{ end }}{{- end }}
{{- define "t119" }}|{{ (empty true) }}{{- end }}
{{- define "t120" }}{{ if (eq 2 2) }}{{ $v1_0 := $.Values.s }}x{{ (typeOf $.Values.l) }}{{ range $k1, $e1 := $.Values.l }}
{{ (dict "q" 1) }}{{ end }}{{ else }}{{ range $k1, $e1 := $.Values.m }}{{ $e1 = $.Values.s }}{{ $v2_2 := $e1 }}{{ else }}empty{{ end }}x{{ (kindOf $.Values.m.c) }}{{ end }}{{ $v0_0 := (dict "q" 1) }}{{- end }}
{{- define "t121" }}x{{ $.Values.l }}{{- end }}
{{- define "t122" }}|{{ (not $.Values.m.c) }}{{- end }}
{{- define "t123" }}{{ if (not $.Values.e) }}|{{ $.Values.e }}{{ else if (or (print $.Values.s) "lit") }}{{ range $k1, $e1 := $.Values.missing }}-{{ $k1 }}{{ end }}{{ with $.Values.z }}x{{ 3 }}{{ $v2_0 := $.Values.l }}{{ else }}{{ with true }}{{ with $.Values.l }}
{{ $.Values.missing }} {{ (not (default "d" 1)) }}|{{ $.Values.m }}{{ end }}{{ else }}{{ range $k3, $e3 := $.Values.l }}
{{ $k3 }}|{{ (empty true) }}{{ if (eq 1 2) }}{{ continue }}{{ end }}{{ end }}{{ end }}{{ end }}{{ end }}{{ with (len $.Values.l) }}{{ range $k1, $e1 := $.Values.m }}x{{ $e1 }}{{ else }}empty{{ end }}{{ end }}{{ range $k0, $e0 := $.Values.missing }}x{{ $e0 }} {{ 3 }}{{ end }}{{- end }}
{{- define "t124" }}{{ with (toJson (toJson $.Values.missing)) }}{{ $v1_0 := $.Values.t }}|{{ $.Values.e }}{{ end }}{{ $v0_0 := (len (list 1)) }}{{ $v0_0 = 1 }}{{- end }}
{{- define "t125" }}{{ if (or (toJson $.Values.missing) "lit") }}{{ if (not $.Values.t) }}{{ with 1 }}{{ $v3_0 := (not (empty $.Values.missing)) }}{{ with $v3_0 }}|{{ $.Values.l }}
{{ $v3_0 }} {{ $v3_0 }}{{ else }}
{{ $v3_0 }} {{ $v3_0 }} {{ (default "d" $v3_0) }}{{ end }}{{ else }}{{ if (and 3 (kindOf (dict "q" 1))) }}
{{ (list 1 2) }}
{{ $.Values.s }}{{ else }} {{ (toJson (kindOf $.Values.e)) }}{{ end }}{{ $v3_0 := $.Values.missing }}{{ with $v3_0 }}|{{ 3 }}{{ end }}{{ end }}{{ $v2_0 := (toJson (not $.Values.m.c)) }}{{ else }}
{{ $.Values.missing }}{{ $v2_0 := (toJson (dict "q" 1)) }}{{ end }}{{ else }}
{{ (not (empty $.Values.z)) }}|{{ (empty $.Values.l) }}{{ $v1_0 := (quote (kindOf (dict "q" 1))) }}{{ end }}{{ range $k0, $e0 := $.Values.m.c }}{{ $e0 = $.Values.z }}{{ end }}{{- end }}
{{- define "t126" }}{{ with $.Values.m.c }}{{ with "lit" }}-{{ (list 1 2) }}{{ else }}{{ with (not $.Values.m.c) }}|{{ (typeOf (dict "q" 1)) }}{{ else }} {{ $.Values.l }}{{ with true }}|{{ $.Values.e }} {{ true }}{{ else }} {{ 1 }}-{{ 1 }}x{{ (list 1 2) }}{{ end }}{{ end }} {{ $.Values.s }}{{ end }}x{{ (len (list 1)) }}{{ end }}{{- end }}
{{- define "t127" }}{{ with (kindOf (empty $.Values.missing)) }}{{ range $k1, $e1 := $.Values.m.c }} {{ (list 1 2) }}-{{ $.Values.l }}{{ else }}empty{{ end }}{{ $v1_0 := true }}x{{ $v1_0 }}{{ end }}{{- end }}
{{- define "t128" }}-{{ (quote (quote $.Values.m.c)) }}{{- end }}
{{- define "t129" }}
{{ (list 1 2) }}{{- end }}
{{- define "t130" }}{{ $v0_0 := (dict "q" 1) }}{{- end }}
{{- define "t131" }}{{ if (or (list 1 2) (not $.Values.m)) }} {{ (len $.Values.m) }}{{ $v1_0 := (print (len $.Values.s)) }}{{ else if (or (typeOf true) (len $.Values.s)) }}|{{ (kindOf (list 1 2)) }}{{ $v1_0 := (default "d" (default "d" $.Values.z)) }}{{ with $.Values.t }}{{ $v1_0 = $v1_0 }}{{ else }}{{ if (not $.Values.t) }}{{ $v3_1 := $v1_0 }}{{ $v3_2 := $v3_1 }}{{ $v3_3 := true }}{{ end }}{{ if (and (typeOf (list 1 2)) (toJson $.Values.t)) }}x{{ $.Values.m }}{{ range $k3, $e3 := $.Values.l }}x{{ $e3 }}{{ if (default "d" 1) }}{{ continue }}{{ end }}{{ end }}x{{ $.Values.s }}{{ end }}{{ $v2_1 := $v1_0 }}{{ end }}{{ end }}|{{ (empty (not $.Values.s)) }}{{- end }}
{{- define "t132" }}-{{ (list 1 2) }} {{ $.Values.s }}{{- end }}
{{- define "t133" }}{{ with $.Values.t }}{{ range $k1, $e1 := $.Values.m }}-{{ (toJson 1) }}{{ if (not (kindOf $.Values.m)) }}
{{ $e1 }}{{ $v3_2 := $e1 }}{{ end }}{{ end }}{{ else }}
{{ (print true) }}{{ $v1_0 := $.Values.m.c }}{{ end }}{{ $v0_0 := $.Values.missing }}{{- end }}
{{- define "t134" }}{{ range $k0, $e0 := $.Values.missing }}{{ with $.Values.t }}{{ if (and (kindOf (quote true)) $k0) }}{{ $v3_2 := $.Values.m }}{{ else }}{{ range $k3, $e3 := (list) }}|{{ 3 }}x{{ (len $.Values.l) }}-{{ "lit" }}{{ if (or $e3 (len (list 1))) }}{{ break }}{{ end }}{{ end }}{{ end }}{{ if $.Values.t }}x{{ $.Values.t }}{{ $e0 = $.Values.e }}x{{ $k0 }}{{ else if "lit" }}{{ $v3_2 := (dict "q" 1) }}{{ if $v3_2 }}-{{ "lit" }}-{{ $v3_2 }}{{ else if (not (list 1 2)) }}|{{ $k0 }}|{{ 1 }}|{{ (dict "q" 1) }}{{ end }}{{ $v3_2 = $k0 }}{{ end }}{{ $v2_2 := (typeOf (default "d" $.Values.t)) }}{{ end }}{{ if (eq 2 2) }}{{ range $k2, $e2 := $.Values.m }} {{ $e0 }}{{ end }}{{ else if (or $e0 (kindOf (toJson $.Values.missing))) }}{{ $v2_2 := $.Values.s }}{{ else }}{{ range $k2, $e2 := $.Values.l }}{{ range $k3, $e3 := $.Values.missing }}-{{ $k0 }} {{ (dict "q" 1) }}|{{ 3 }}{{ if (or (empty $.Values.e) $.Values.z) }}{{ continue }}{{ end }}{{ end }}{{ else }}empty{{ end }}{{ with $.Values.z }}
{{ $e0 }} {{ (dict "q" 1) }}{{ if $.Values.s }}x{{ "lit" }}{{ else if (eq 2 2) }}-{{ (not (toJson $.Values.e)) }}
{{ (empty $e0) }}{{ end }}{{ end }}{{ end }}{{ with $k0 }}{{ if (or $e0 $k0) }}
{{ $.Values.l }}
{{ $.Values.e }}{{ else }}{{ $v3_2 := $.Values.t }}
{{ $e0 }}{{ range $k3, $e3 := $.Values.m }} {{ $e3 }}{{ else }}empty{{ end }}{{ end }}{{ end }}{{ end }}{{ range $k0, $e0 := $.Values.l }}{{ range $k1, $e1 := (until 4) }}{{ $k1 = $k0 }}
{{ $k1 }}{{ end }}{{ else }}empty{{ end }}{{- end }}
{{- define "t135" }}{{ $v0_0 := (not (kindOf 1)) }}{{- end }}
{{- define "t136" }}x{{ (empty (typeOf $.Values.missing)) }}{{- end }}
{{- define "t137" }}-{{ (empty (quote "lit")) }}
{{ (not $.Values.z) }}{{- end }}
{{- define "t138" }}{{ with (kindOf (print $.Values.l)) }}{{ range $k1, $e1 := $.Values.l }}|{{ (len $.Values.l) }}{{ with $e1 }}{{ range $k3, $e3 := $.Values.missing }}
{{ (list 1 2) }}x{{ $.Values.missing }}{{ else }}empty{{ end }}{{ $v3_2 := $k1 }} {{ $.Values.z }}{{ end }}{{ end }}{{ with "lit" }}{{ range $k2, $e2 := $.Values.m.c }}{{ range $k3, $e3 := (until 4) }} {{ $k3 }}
{{ (quote $.Values.t) }}{{ if (or $e2 true) }}{{ break }}{{ end }}{{ else }}empty{{ end }}{{ range $k3, $e3 := (until 4) }}x{{ (not $.Values.missing) }}-{{ (typeOf $e3) }}{{ end }}{{ $v3_2 := $k2 }}{{ end }}{{ end }}{{ range $k1, $e1 := $.Values.missing }}{{ $v2_2 := (dict "q" 1) }}{{ $v2_3 := $v2_2 }}{{ end }}{{ end }}{{ range $k0, $e0 := (until 4) }}{{ range $k1, $e1 := (until 4) }}{{ with $k1 }}{{ $v3_4 := 1 }}{{ with $v3_4 }}x{{ (kindOf 1) }}-{{ (list 1 2) }}{{ end }}{{ range $k3, $e3 := $.Values.m }}
{{ $.Values.m }}{{ end }}{{ else }}{{ $k1 = true }} {{ $e1 }}{{ end }} {{ $k1 }}x{{ $.Values.m.c }}{{ if (len (list 1)) }}{{ continue }}{{ end }}{{ else }}empty{{ end }}{{ if $.Values.t }}{{ if $k0 }}{{ with $k0 }}x{{ $k0 }}{{ else }}x{{ $.Values.m }}{{ end }}{{ range $k3, $e3 := $.Values.l }} {{ true }} {{ $k3 }}x{{ $k3 }}{{ end }}{{ else if (and (dict "q" 1) $e0) }}{{ range $k3, $e3 := $.Values.missing }}
{{ $.Values.l }}{{ end }}{{ end }}{{ with (toJson $.Values.m) }}{{ $k0 = $.Values.m.c }}{{ if (or $.Values.m $e0) }}
{{ $e0 }}x{{ (dict "q" 1) }}{{ else if (and (list 1 2) (not $k0)) }}x{{ 1 }}{{ else }}x{{ $.Values.m }}{{ end }}{{ end }}{{ range $k2, $e2 := (until 4) }}{{ if (or (default "d" $.Values.t) 1) }}
{{ (quote $e0) }} {{ (dict "q" 1) }}{{ else if (not (print (len $.Values.l))) }}-{{ $.Values.m }}{{ else }} {{ (typeOf $.Values.l) }}{{ end }}{{ if $e2 }}{{ break }}{{ end }}{{ else }}empty{{ end }}{{ end }} {{ (print $.Values.missing) }}{{ else }}empty{{ end }}{{ with (quote (toJson $.Values.z)) }}{{ if (not (dict "q" 1)) }}
{{ (empty (typeOf 3)) }}{{ range $k2, $e2 := $.Values.l }}-{{ $.Values.m.c }}|{{ (dict "q" 1) }}{{ if (not 3) }}{{ break }}{{ end }}{{ end }}{{ else if (or $.Values.s (not 3)) }}{{ with $.Values.s }}{{ range $k3, $e3 := $.Values.l }}-{{ $.Values.s }} {{ $k3 }}{{ end }}{{ with (not (kindOf (dict "q" 1))) }} {{ (empty (quote true)) }}
{{ (empty (default "d" $.Values.e)) }}|{{ (default "d" $.Values.m) }}{{ end }}-{{ (kindOf (list 1 2)) }}{{ else }}{{ with (print (kindOf (dict "q" 1))) }}x{{ (typeOf (len $.Values.m)) }}-{{ (default "d" $.Values.m.c) }}
{{ (dict "q" 1) }}{{ else }}-{{ $.Values.missing }}{{ end }}{{ $v3_0 := (empty (typeOf (list 1 2))) }}{{ end }}{{ else }}{{ if (not (toJson (len $.Values.s))) }}{{ with (default "d" $.Values.t) }}x{{ $.Values.l }}{{ else }}-{{ $.Values.s }}-{{ (toJson $.Values.s) }}x{{ (list 1 2) }}{{ end }}{{ else if (or (toJson (quote 1)) (typeOf $.Values.s)) }}{{ range $k3, $e3 := $.Values.l }} {{ $.Values.m }} {{ "lit" }}-{{ $.Values.t }}{{ end }}{{ if (not 3) }}x{{ (print (toJson $.Values.z)) }}{{ end }}{{ end }}{{ end }}{{ $v1_0 := $.Values.missing }}{{ if (kindOf $.Values.e) }}
{{ $v1_0 }}{{ $v1_0 = $v1_0 }}{{ else if (eq 1 1) }}{{ $v2_1 := $v1_0 }}{{ $v2_2 := $v2_1 }}{{ else }}{{ $v2_1 := 3 }}|{{ $v1_0 }}{{ end }}{{ end }}{{- end }}
{{- define "t139" }}{{ range $k0, $e0 := (until 4) }}{{ $v1_2 := $e0 }}{{ $v1_3 := $.Values.missing }}{{ end }}{{- end }}
{{- define "t140" }}{{- end }}
{{- define "t141" }}-{{ 1 }}{{ with 1 }} {{ $.Values.e }}{{ else }}{{ $v1_0 := $.Values.m.c }}{{ end }}{{ $v0_0 := (default "d" (empty 1)) }}{{- end }}
{{- define "t142" }}{{ if $.Values.e }}
{{ (typeOf (quote "lit")) }}{{ end }}{{- end }}
{{- define "t143" }}-{{ $.Values.z }}{{ if (not $.Values.m.c) }}x{{ $.Values.l }}{{ else if (default "d" $.Values.l) }} {{ "lit" }}{{ with $.Values.e }}{{ with true }}{{ end }}{{ end }}{{ else }}{{ with (default "d" (dict "q" 1)) }}x{{ $.Values.l }}{{ else }}
{{ (kindOf true) }} {{ $.Values.missing }}{{ end }}{{ end }}{{ $v0_0 := (dict "q" 1) }}{{- end }}
{{- define "t144" }}{{ $v0_0 := (empty (toJson $.Values.t)) }}{{ $v0_0 = $v0_0 }}x{{ $.Values.m.c }}{{- end }}
{{- define "t145" }}{{ with (kindOf (typeOf 3)) }}{{ $v1_0 := (print $.Values.z) }}{{ else }}|{{ (dict "q" 1) }}{{ end }}{{ with (not (default "d" $.Values.t)) }}{{ with (len $.Values.m) }} {{ (not (typeOf $.Values.missing)) }}{{ end }}{{ range $k1, $e1 := $.Values.m }}{{ with 3 }}{{ with "lit" }}|{{ $k1 }} {{ (toJson (quote 1)) }} {{ $k1 }}{{ else }} {{ $.Values.l }}-{{ $k1 }} {{ $e1 }}{{ end }} {{ $k1 }}{{ end }}{{ else }}empty{{ end }}{{ if (or true 3) }}{{ with $.Values.z }}x{{ $.Values.missing }}-{{ (list 1 2) }}{{ end }} {{ (len $.Values.m) }}{{ else if (default "d" (toJson $.Values.m)) }}{{ if (and (list 1 2) (not (typeOf 3))) }}{{ range $k3, $e3 := (list) }}x{{ $e3 }}|{{ $.Values.missing }}{{ else }}empty{{ end }}
{{ $.Values.missing }} {{ $.Values.t }}{{ end }}{{ with $.Values.m.c }}{{ with (toJson "lit") }}x{{ (typeOf (list 1 2)) }} {{ $.Values.l }}{{ else }}
{{ $.Values.m.c }}|{{ $.Values.z }}
{{ (not (kindOf $.Values.z)) }}{{ end }}{{ end }}{{ if (eq 1 2) }}{{ $v3_0 := (default "d" $.Values.missing) }}{{ end }}{{ end }}{{ else }}x{{ $.Values.e }}{{ $v1_0 := (len $.Values.l) }}{{ end }}{{- end }}
{{- define "t146" }}|{{ $.Values.missing }}{{ $v0_0 := (print $.Values.m.c) }}x{{ $v0_0 }}{{- end }}
{{- define "t147" }}{{ $v0_0 := (dict "q" 1) }}{{ $v0_1 := $.Values.s }}{{- end }}
{{- define "t148" }}{{ $v0_0 := (dict "q" 1) }}{{ with $v0_0 }}{{ $v0_0 = $.Values.m }}|{{ 1 }}|{{ $.Values.z }}{{ end }}{{ $v0_0 = 1 }}{{- end }}
{{- define "t149" }}{{ with (quote $.Values.m.c) }}{{ end }}{{- end }}
