{{- define "w0" -}}x
  y{{ -3 }} 
 {{/* c */ -}}
{{- range until 2 -}} r {{- end -}}{{ `raw
` }}a{{- end -}}
{{- define "w1" -}}{{- -3 -}}	{{/* c */ -}}
{{ -3 }}x
  y{{/* multi
line */}}} x{{- end -}}
{{- define "w2" -}} b {{/* c */ -}} 
 {{ if false -}} F {{- else -}} E {{- end }}a{{/* c */}} 
 {{-3}}-{{- 2 }} b {{- /* c */ -}}} x{{- end -}}
{{- define "w3" -}}a{{ -3 }}a{{ "s" }}{{- /* c */}}x
  y{{- end -}}
{{- define "w4" -}}{{- range until 2 -}} r {{- end -}}

{{- end -}}
{{- define "w5" -}}  {{/* c */ -}}
{{- end -}}
{{- define "w6" -}}	{{/* c */}}
{{- end -}}
{{- define "w7" -}}} x{{/* c */ -}} 
 {{- /* c */ -}}

{{ range $i := until 2 }}[{{ $i }}]{{ end }}
{{- if true }}T{{- end }}

{{ if false -}} F {{- else -}} E {{- end }}a{{- /* c */ -}}	{{- end -}}
{{- define "w8" -}}
{{/* c */ -}}} x{{- end -}}
{{- define "w9" -}} 
 {{- -3 -}}} x{{ "-}}" }}	{{ range $i := until 2 }}[{{ $i }}]{{ end }} 
 {{- /* c */}}
{{- end -}}
{{- define "w10" -}}	{{ range $i := until 2 }}[{{ $i }}]{{ end }} {{/* c */ -}}
{{ if false -}} F {{- else -}} E {{- end }}{{ 3 -}}x
  y{{- -3 -}} 
 {{- end -}}
{{- define "w11" -}}	{{- 4 -}}

{{- /* c */}}

{{/* multi
line */}}x
  y{{ -3 }}-{{- if true }}T{{- end }}x
  y{{- end -}}
{{- define "w12" -}}  {{ print " - " }}  {{ print " - " }}a{{/* c */}}a{{- 2 }}{{- /* c */}}	{{-3}}a{{- end -}}
{{- define "w13" -}}
{{/* c */}}{{ -3 }} {{/* c */ -}}
{{- /* c */}}x
  y{{ 1 }}{{ 3 -}}a{{- end -}}
{{- define "w14" -}}{{ range $i := until 2 }}[{{ $i }}]{{ end }}
{{- -3 -}}x
  y{{ 3 -}}
{{ `raw
` }}a{{- end -}}
{{- define "w15" -}} b {{ "s" }}} x{{- end -}}
{{- define "w16" -}}a{{- /* c */ -}}} x{{- /* c */ -}}x
  y{{ -3 }}
{{- /* c */}} {{- end -}}
{{- define "w17" -}}a{{ -3 }}
{{- /* c */ -}} {{- end -}}
{{- define "w18" -}}
{{ 1 }}{{ `raw
` }}{{ if false -}} F {{- else -}} E {{- end }} b {{/* multi
line */}} b {{- range until 2 -}} r {{- end -}} 
 {{- end -}}
{{- define "w19" -}}a{{ range $i := until 2 }}[{{ $i }}]{{ end }}

{{/* c */}}
{{/* c */ -}} {{/* multi
line */}} b {{ print " - " }}-{{- end -}}
{{- define "w20" -}}a{{ -3 }} 
 {{ print " - " }} b {{- 4 -}}

{{- /* c */ -}}x
  y{{- if true }}T{{- end }}x
  y{{- end -}}
{{- define "w21" -}} b {{- 4 -}}
{{ "s" }}} x{{- /* c */ -}}	{{/* multi
line */}} 
 {{- end -}}
{{- define "w22" -}}a{{/* c */}}{{ "-}}" }}} x{{ print " - " }}
{{ -3 }}	{{ if false -}} F {{- else -}} E {{- end }}
{{- end -}}
{{- define "w23" -}}
{{ "-}}" }}
{{- /* c */ -}} {{ range $i := until 2 }}[{{ $i }}]{{ end }}x
  y{{ "s" }}x
  y{{/* c */ -}}
{{- if true }}T{{- end }}
{{- end -}}
{{- define "w24" -}}a{{ 1 }}-{{- 2 }}-{{- end -}}
{{- define "w25" -}}} x{{- if true }}T{{- end }}	{{/* c */ -}}  {{/* c */}}-{{- end -}}
{{- define "w26" -}}{{ 1 }}{{- if true }}T{{- end }}} x{{- range until 2 -}} r {{- end -}}	{{/* c */}}
{{- end -}}
{{- define "w27" -}} 
 {{- 2 }}x
  y{{- end -}}
{{- define "w28" -}}a{{ range $i := until 2 }}[{{ $i }}]{{ end }}x
  y{{/* c */}}

{{ "s" }} b {{ `raw
` }}	{{- /* c */}}-{{- end -}}
{{- define "w29" -}}

{{/* c */ -}} 
 {{ range $i := until 2 }}[{{ $i }}]{{ end }}a{{- end -}}
{{- define "w30" -}}-{{- /* c */ -}}

{{/* c */ -}}{{- -3 -}}a{{/* c */ -}}
{{ print " - " }}{{ range $i := until 2 }}[{{ $i }}]{{ end }}	{{- end -}}
{{- define "w31" -}}
{{ 3 -}} b {{/* multi
line */}}
{{ if false -}} F {{- else -}} E {{- end }}

{{/* c */ -}}	{{/* multi
line */}}

{{- /* c */}}} x{{- end -}}
{{- define "w32" -}}
{{- range until 2 -}} r {{- end -}}	{{ `raw
` }} 
 {{ "-}}" }}

{{ print " - " }} b {{- end -}}
{{- define "w33" -}} {{ 3 -}}	{{- /* c */ -}}-{{- end -}}
{{- define "w34" -}}
{{- /* c */}}-{{- 2 }}-{{- /* c */ -}} 
 {{ "-}}" }}

{{ -3 }}
{{ 1 }} {{- end -}}
{{- define "w35" -}}a{{ 3 -}}} x{{- end -}}
{{- define "w36" -}}} x{{ if false -}} F {{- else -}} E {{- end }} 
 {{- end -}}
{{- define "w37" -}} b {{- if true }}T{{- end }}
{{ "s" }}} x{{ 1 }}-{{- end -}}
{{- define "w38" -}}-{{- /* c */ -}}{{/* c */ -}}	{{ print " - " }} 
 {{- end -}}
{{- define "w39" -}}
{{- -3 -}}	{{/* c */}}
{{ range $i := until 2 }}[{{ $i }}]{{ end }}x
  y{{-3}}{{- -3 -}}  {{- end -}}
{{- define "w40" -}} {{/* c */}}
{{- end -}}
{{- define "w41" -}} 
 {{ -3 }} b {{/* multi
line */}}
{{- end -}}
{{- define "w42" -}}x
  y{{ range $i := until 2 }}[{{ $i }}]{{ end }}

{{ -3 }}

{{/* c */}}{{- end -}}
{{- define "w43" -}}	{{ "-}}" }}
{{ range $i := until 2 }}[{{ $i }}]{{ end }}a{{- 2 }}a{{- end -}}
{{- define "w44" -}} b {{ "-}}" }} b {{- end -}}
{{- define "w45" -}}a{{ -3 }}  {{- /* c */ -}}  {{- range until 2 -}} r {{- end -}}} x{{ "s" }}  {{- end -}}
{{- define "w46" -}}} x{{ range $i := until 2 }}[{{ $i }}]{{ end }}{{/* multi
line */}} {{ "s" }} 
 {{ 3 -}}	{{- /* c */}}  {{- end -}}
{{- define "w47" -}} b {{- 4 -}} {{ range $i := until 2 }}[{{ $i }}]{{ end }} b {{- end -}}
{{- define "w48" -}} {{ 3 -}} b {{- end -}}
{{- define "w49" -}}x
  y{{- range until 2 -}} r {{- end -}}-{{- if true }}T{{- end }} 
 {{- -3 -}}
{{- end -}}
{{- define "w50" -}} {{ `raw
` }}x
  y{{- if true }}T{{- end }}{{ 1 }} b {{ `raw
` }}
{{- range until 2 -}} r {{- end -}}
{{- end -}}
{{- define "w51" -}}} x{{/* multi
line */}}  {{- end -}}
{{- define "w52" -}} b {{ if false -}} F {{- else -}} E {{- end }} 
 {{- end -}}
{{- define "w53" -}}{{ if false -}} F {{- else -}} E {{- end }} 
 {{ print " - " }}x
  y{{- end -}}
{{- define "w54" -}}
{{ range $i := until 2 }}[{{ $i }}]{{ end }}

{{- /* c */}}	{{- end -}}
{{- define "w55" -}}{{/* c */}}

{{ print " - " }} {{/* c */ -}}
{{ range $i := until 2 }}[{{ $i }}]{{ end }}x
  y{{ "-}}" }}
{{- range until 2 -}} r {{- end -}}
{{- end -}}
{{- define "w56" -}}

{{/* c */}}} x{{- end -}}
{{- define "w57" -}}a{{ print " - " }} 
 {{- end -}}
{{- define "w58" -}}{{-3}} b {{- if true }}T{{- end }}-{{- /* c */ -}}} x{{- 2 }}	{{- end -}}
{{- define "w59" -}}{{ 1 }}{{/* multi
line */}} 
 {{/* multi
line */}}  {{- if true }}T{{- end }}a{{- if true }}T{{- end }}

{{/* multi
line */}}a{{- end -}}
{{- define "w60" -}}
{{ print " - " }} {{- -3 -}}a{{- 2 }} 
 {{- 4 -}}  {{- end -}}
{{- define "w61" -}}  {{ range $i := until 2 }}[{{ $i }}]{{ end }} 
 {{-3}} 
 {{ if false -}} F {{- else -}} E {{- end }}
{{- end -}}
{{- define "w62" -}}  {{ `raw
` }}{{ if false -}} F {{- else -}} E {{- end }}-{{- /* c */}} 
 {{- end -}}
{{- define "w63" -}}
{{- 4 -}}x
  y{{ "-}}" }}} x{{ 3 -}}

{{ "-}}" }}a{{- /* c */ -}}{{- 2 }}} x{{- end -}}
{{- define "w64" -}}
{{ range $i := until 2 }}[{{ $i }}]{{ end }} 
 {{ "-}}" }}x
  y{{- /* c */ -}}} x{{- range until 2 -}} r {{- end -}} {{- /* c */}}  {{ "-}}" }}

{{- end -}}
{{- define "w65" -}} b {{/* multi
line */}}  {{/* multi
line */}}
{{- end -}}
{{- define "w66" -}} 
 {{/* c */}} b {{ `raw
` }}a{{- range until 2 -}} r {{- end -}}
{{- 2 }}

{{- end -}}
{{- define "w67" -}}x
  y{{ print " - " }}a{{ 1 }} b {{ "-}}" }}-{{- range until 2 -}} r {{- end -}} 
 {{- end -}}
{{- define "w68" -}} {{- range until 2 -}} r {{- end -}}-{{ 1 }}x
  y{{- 4 -}}
{{- end -}}
{{- define "w69" -}}x
  y{{/* multi
line */}}-{{ `raw
` }}
{{ "-}}" }}  {{ 1 }}a{{- -3 -}}} x{{- end -}}
{{- define "w70" -}}a{{- /* c */}}a{{- 4 -}}x
  y{{ -3 }} {{ `raw
` }}{{- /* c */ -}}a{{- end -}}
{{- define "w71" -}} b {{/* multi
line */}}	{{ if false -}} F {{- else -}} E {{- end }}-{{- /* c */ -}}

{{- end -}}
{{- define "w72" -}}
{{ "s" }}
{{/* c */ -}}	{{- /* c */}} 
 {{ `raw
` }}  {{ 3 -}}
{{- end -}}
{{- define "w73" -}}
{{- range until 2 -}} r {{- end -}} {{ `raw
` }}	{{- end -}}
{{- define "w74" -}}} x{{- range until 2 -}} r {{- end -}} {{- 4 -}}	{{- end -}}
{{- define "w75" -}}	{{- if true }}T{{- end }}  {{- -3 -}}} x{{/* c */ -}}  {{- if true }}T{{- end }}
{{ "-}}" }}
{{/* multi
line */}}} x{{- end -}}
{{- define "w76" -}}} x{{- 2 }}	{{- -3 -}}  {{ 1 }}
{{- end -}}
{{- define "w77" -}}} x{{ `raw
` }}{{- if true }}T{{- end }} 
 {{ 3 -}}-{{ `raw
` }} b {{ -3 }}} x{{- end -}}
{{- define "w78" -}}{{- 2 }}} x{{- range until 2 -}} r {{- end -}}} x{{ print " - " }}

{{/* multi
line */}}
{{- /* c */}}
{{- end -}}
{{- define "w79" -}}

{{ if false -}} F {{- else -}} E {{- end }}{{/* multi
line */}}-{{- if true }}T{{- end }}} x{{ print " - " }}x
  y{{- end -}}
{{- define "w80" -}}x
  y{{/* c */ -}}a{{ if false -}} F {{- else -}} E {{- end }}} x{{/* c */ -}}-{{- end -}}
{{- define "w81" -}}x
  y{{ print " - " }}{{- 2 }} {{ 3 -}}x
  y{{- 4 -}}
{{ 1 }}
{{- end -}}
{{- define "w82" -}}

{{/* c */ -}}-{{ "s" }}
{{ `raw
` }} {{- 4 -}}
{{- end -}}
{{- define "w83" -}}
{{- /* c */ -}}} x{{-3}}-{{/* c */ -}} b {{ -3 }}  {{ 1 }}	{{- 4 -}}
{{- end -}}
{{- define "w84" -}} 
 {{ "-}}" }}} x{{- /* c */ -}}
{{- end -}}
{{- define "w85" -}} {{- 2 }} {{ range $i := until 2 }}[{{ $i }}]{{ end }} b {{- 4 -}} b {{- end -}}
{{- define "w86" -}}} x{{- range until 2 -}} r {{- end -}} 
 {{/* c */}} b {{- /* c */ -}}a{{ print " - " }}} x{{- end -}}
{{- define "w87" -}}

{{- 2 }}} x{{ -3 }}	{{ range $i := until 2 }}[{{ $i }}]{{ end }} {{ 1 }}  {{- 2 }} b {{- end -}}
{{- define "w88" -}} 
 {{- 4 -}}

{{/* multi
line */}}{{ -3 }} 
 {{- end -}}
{{- define "w89" -}}a{{ 1 }} {{- end -}}
{{- define "w90" -}}x
  y{{ 1 }}
{{- 4 -}} 
 {{- end -}}
{{- define "w91" -}}

{{ -3 }}a{{ "s" }}x
  y{{ "s" }} 
 {{- end -}}
{{- define "w92" -}} b {{- 4 -}} 
 {{ "-}}" }}a{{ range $i := until 2 }}[{{ $i }}]{{ end }} 
 {{ `raw
` }}a{{- end -}}
{{- define "w93" -}}  {{ if false -}} F {{- else -}} E {{- end }} {{ print " - " }}	{{- /* c */}}
{{- -3 -}}	{{- 4 -}} {{- end -}}
{{- define "w94" -}}} x{{ if false -}} F {{- else -}} E {{- end }}x
  y{{/* multi
line */}} b {{/* c */}}
{{- end -}}
{{- define "w95" -}}
{{ "s" }} {{-3}}

{{- 2 }}

{{/* c */ -}}
{{- -3 -}}

{{- end -}}
{{- define "w96" -}}
{{- 2 }}{{- 4 -}} b {{/* c */ -}}x
  y{{ "-}}" }} b {{/* c */}}
{{- end -}}
{{- define "w97" -}} {{ "-}}" }} 
 {{-3}}a{{ print " - " }}-{{- end -}}
{{- define "w98" -}}} x{{ 1 }} b {{- /* c */}}} x{{ "s" }}x
  y{{- if true }}T{{- end }}-{{- 2 }}	{{ if false -}} F {{- else -}} E {{- end }} b {{- end -}}
{{- define "w99" -}}} x{{ if false -}} F {{- else -}} E {{- end }}  {{- end -}}
{{- define "w100" -}}  {{-3}}	{{/* c */}}} x{{ if false -}} F {{- else -}} E {{- end }}x
  y{{- 4 -}}
{{- end -}}
{{- define "w101" -}}{{/* multi
line */}}

{{ "-}}" }}a{{ `raw
` }}x
  y{{- /* c */ -}} 
 {{ range $i := until 2 }}[{{ $i }}]{{ end }}

{{/* multi
line */}}
{{- end -}}
{{- define "w102" -}}	{{/* c */}}-{{ if false -}} F {{- else -}} E {{- end }}-{{- 2 }}-{{- end -}}
{{- define "w103" -}}
{{- /* c */ -}} b {{- 4 -}}} x{{- if true }}T{{- end }}a{{- end -}}
{{- define "w104" -}} {{- /* c */ -}}{{- range until 2 -}} r {{- end -}}
{{- range until 2 -}} r {{- end -}} 
 {{ `raw
` }}
{{ print " - " }}
{{- end -}}
{{- define "w105" -}}-{{/* c */}} 
 {{ print " - " }}

{{- -3 -}} 
 {{ range $i := until 2 }}[{{ $i }}]{{ end }}a{{- end -}}
{{- define "w106" -}}} x{{/* c */}} {{ 1 }}
{{ if false -}} F {{- else -}} E {{- end }} 
 {{ range $i := until 2 }}[{{ $i }}]{{ end }} 
 {{ 3 -}}
{{ "-}}" }}  {{- end -}}
{{- define "w107" -}}-{{ 3 -}} b {{/* multi
line */}}

{{ "s" }}{{ `raw
` }}  {{- end -}}
{{- define "w108" -}}

{{ 1 }} 
 {{-3}}  {{- /* c */ -}}	{{ range $i := until 2 }}[{{ $i }}]{{ end }}	{{- 2 }}-{{- end -}}
{{- define "w109" -}}-{{- 4 -}}  {{ if false -}} F {{- else -}} E {{- end }}a{{- range until 2 -}} r {{- end -}} b {{- end -}}
{{- define "w110" -}} b {{/* c */}}a{{- -3 -}}} x{{/* multi
line */}}

{{- /* c */ -}}  {{ "s" }}a{{- end -}}
{{- define "w111" -}}} x{{ 1 }}	{{- end -}}
{{- define "w112" -}}	{{ `raw
` }}a{{ 3 -}} b {{- /* c */ -}} 
 {{- 4 -}}
{{- /* c */}}	{{ range $i := until 2 }}[{{ $i }}]{{ end }}{{- end -}}
{{- define "w113" -}}	{{/* c */ -}}	{{ print " - " }}-{{- end -}}
{{- define "w114" -}}
{{ `raw
` }}} x{{- end -}}
{{- define "w115" -}}

{{ print " - " }} b {{ "s" }}
{{- /* c */}}	{{ "s" }}
{{- range until 2 -}} r {{- end -}}
{{-3}}
{{- end -}}
{{- define "w116" -}}a{{/* c */}}{{ 1 }}  {{- /* c */}}a{{- end -}}
{{- define "w117" -}} 
 {{ range $i := until 2 }}[{{ $i }}]{{ end }} b {{- end -}}
{{- define "w118" -}} 
 {{/* c */}}  {{ range $i := until 2 }}[{{ $i }}]{{ end }}-{{- 4 -}} {{- end -}}
{{- define "w119" -}} {{-3}}{{- /* c */ -}} 
 {{- 4 -}}	{{- /* c */}}a{{ if false -}} F {{- else -}} E {{- end }}
{{- end -}}
{{- define "w120" -}}
{{/* c */}} 
 {{ if false -}} F {{- else -}} E {{- end }}
{{/* multi
line */}}a{{- end -}}
{{- define "w121" -}}-{{ range $i := until 2 }}[{{ $i }}]{{ end }}  {{ -3 }}

{{- 4 -}}

{{- end -}}
{{- define "w122" -}}  {{- /* c */}}} x{{- range until 2 -}} r {{- end -}}	{{ 3 -}}a{{ "s" }} 
 {{ 1 }}  {{- 4 -}}
{{- end -}}
{{- define "w123" -}}{{/* multi
line */}} 
 {{- end -}}
{{- define "w124" -}} 
 {{ "-}}" }}

{{ print " - " }}x
  y{{ "-}}" }}

{{- end -}}
{{- define "w125" -}}x
  y{{/* c */}}
{{- if true }}T{{- end }} b {{- /* c */}}
{{- /* c */ -}}

{{- /* c */ -}} {{- end -}}
{{- define "w126" -}}

{{-3}}

{{ if false -}} F {{- else -}} E {{- end }}  {{ if false -}} F {{- else -}} E {{- end }}  {{- 2 }}x
  y{{- if true }}T{{- end }}{{- end -}}
{{- define "w127" -}}

{{ range $i := until 2 }}[{{ $i }}]{{ end }}	{{- -3 -}} b {{- -3 -}}
{{- end -}}
{{- define "w128" -}}a{{ print " - " }}

{{ 1 }}

{{ "s" }}
{{- 2 }}a{{-3}}	{{ 3 -}}x
  y{{- end -}}
{{- define "w129" -}} 
 {{-3}} {{/* multi
line */}}{{ if false -}} F {{- else -}} E {{- end }} 
 {{- -3 -}} 
 {{- /* c */}}

{{- range until 2 -}} r {{- end -}}} x{{- end -}}
{{- define "w130" -}} 
 {{ print " - " }}
{{- end -}}
{{- define "w131" -}}} x{{- /* c */}}  {{- end -}}
{{- define "w132" -}} b {{ print " - " }}{{- range until 2 -}} r {{- end -}}
{{- 4 -}}a{{ "s" }}x
  y{{- end -}}
{{- define "w133" -}} b {{ 3 -}}  {{- -3 -}}	{{ "-}}" }} b {{- /* c */}}x
  y{{- if true }}T{{- end }}
{{- end -}}
{{- define "w134" -}} {{- range until 2 -}} r {{- end -}} 
 {{-3}}  {{- end -}}
{{- define "w135" -}}	{{- 4 -}}a{{ 1 }}
{{- 4 -}}

{{ range $i := until 2 }}[{{ $i }}]{{ end }} 
 {{- -3 -}} 
 {{- /* c */}}-{{- end -}}
{{- define "w136" -}}  {{- if true }}T{{- end }}	{{- range until 2 -}} r {{- end -}}-{{- if true }}T{{- end }} b {{ if false -}} F {{- else -}} E {{- end }}
{{ "s" }}  {{ 1 }} b {{- end -}}
{{- define "w137" -}}{{ 1 }}} x{{ `raw
` }} {{- end -}}
{{- define "w138" -}}  {{ 1 }} b {{- end -}}
{{- define "w139" -}} 
 {{ "s" }}{{/* c */}}{{ 3 -}}a{{ `raw
` }}} x{{- end -}}
{{- define "w140" -}}
{{ if false -}} F {{- else -}} E {{- end }}

{{ 1 }}{{- 4 -}}-{{ print " - " }}x
  y{{ 1 }}a{{- end -}}
{{- define "w141" -}} b {{/* c */ -}} b {{- end -}}
{{- define "w142" -}}
{{/* c */ -}}
{{ if false -}} F {{- else -}} E {{- end }}x
  y{{ 1 }}
{{-3}}{{ "s" }}x
  y{{ "-}}" }}} x{{- end -}}
{{- define "w143" -}}a{{- range until 2 -}} r {{- end -}}	{{- end -}}
{{- define "w144" -}}{{ range $i := until 2 }}[{{ $i }}]{{ end }}

{{- 4 -}} b {{- /* c */}}	{{/* c */}}
{{ 1 }}a{{- range until 2 -}} r {{- end -}}  {{- end -}}
{{- define "w145" -}} {{ 1 }} {{- /* c */ -}}
{{ 3 -}} 
 {{ 3 -}}a{{ print " - " }}-{{- end -}}
{{- define "w146" -}}} x{{- /* c */}}

{{- end -}}
{{- define "w147" -}} {{ range $i := until 2 }}[{{ $i }}]{{ end }}} x{{ 3 -}}x
  y{{- range until 2 -}} r {{- end -}}  {{ -3 }}a{{- end -}}
{{- define "w148" -}}a{{/* multi
line */}} 
 {{/* multi
line */}}
{{- 4 -}}} x{{- 2 }} 
 {{ 1 }} {{- end -}}
{{- define "w149" -}}
{{/* c */ -}}	{{ 1 }}
{{- end -}}
{{- define "w150" -}}
{{ -3 }} 
 {{/* multi
line */}}} x{{ 1 }}	{{/* c */ -}}	{{ if false -}} F {{- else -}} E {{- end }}	{{ "-}}" }} {{- end -}}
{{- define "w151" -}}	{{ "s" }}	{{ `raw
` }}a{{- end -}}
{{- define "w152" -}}a{{ "-}}" }}-{{ print " - " }} b {{ `raw
` }} b {{ 1 }} b {{ "-}}" }}{{- end -}}
{{- define "w153" -}} b {{ if false -}} F {{- else -}} E {{- end }} b {{- /* c */ -}}  {{- end -}}
{{- define "w154" -}}

{{- 2 }} {{-3}}	{{ 1 }}
{{/* c */}}a{{- end -}}
{{- define "w155" -}}
{{ 3 -}}a{{ 1 }}a{{ -3 }} {{- end -}}
{{- define "w156" -}}
{{- 2 }}

{{/* c */}}-{{ 3 -}}	{{- /* c */}}	{{/* c */}}-{{- /* c */ -}}
{{- end -}}
{{- define "w157" -}}{{- -3 -}} 
 {{ `raw
` }}} x{{ if false -}} F {{- else -}} E {{- end }}a{{- /* c */}} {{- end -}}
{{- define "w158" -}}x
  y{{/* c */ -}}a{{- /* c */}} b {{ -3 }} 
 {{- end -}}
{{- define "w159" -}}	{{ -3 }} b {{ range $i := until 2 }}[{{ $i }}]{{ end }}x
  y{{- end -}}
{{- define "w160" -}}
{{- 4 -}}
{{- if true }}T{{- end }} {{- /* c */ -}}
{{- range until 2 -}} r {{- end -}}x
  y{{ `raw
` }} b {{- end -}}
{{- define "w161" -}}
{{ "s" }}a{{ 3 -}}-{{- /* c */}} b {{ if false -}} F {{- else -}} E {{- end }}x
  y{{ "-}}" }} 
 {{- end -}}
{{- define "w162" -}}
{{/* c */ -}}
{{ if false -}} F {{- else -}} E {{- end }}-{{ "-}}" }}  {{- end -}}
{{- define "w163" -}}{{- /* c */}} {{ "s" }}-{{ if false -}} F {{- else -}} E {{- end }} 
 {{- end -}}
{{- define "w164" -}}} x{{/* c */}}
{{-3}}

{{ "s" }} b {{- end -}}
{{- define "w165" -}}

{{ `raw
` }}	{{- /* c */}}	{{ 3 -}}x
  y{{- end -}}
{{- define "w166" -}}

{{ 1 }}a{{- -3 -}}} x{{ 1 }}{{- if true }}T{{- end }} b {{ print " - " }}} x{{ print " - " }}a{{- end -}}
{{- define "w167" -}}x
  y{{/* multi
line */}}

{{ print " - " }}x
  y{{/* c */ -}}  {{ 1 }}	{{- -3 -}}} x{{/* multi
line */}} b {{- end -}}
{{- define "w168" -}} {{ 1 }}

{{ "-}}" }} 
 {{- end -}}
{{- define "w169" -}}
{{ print " - " }} 
 {{- -3 -}} {{- 4 -}}} x{{ if false -}} F {{- else -}} E {{- end }}  {{- end -}}
{{- define "w170" -}}} x{{- /* c */}}{{- 2 }}a{{- if true }}T{{- end }}

{{- /* c */}}a{{ range $i := until 2 }}[{{ $i }}]{{ end }}

{{- end -}}
{{- define "w171" -}}	{{ "-}}" }}
{{ range $i := until 2 }}[{{ $i }}]{{ end }}
{{- 4 -}}	{{- end -}}
{{- define "w172" -}}
{{- /* c */ -}}} x{{ "s" }}x
  y{{ "s" }}	{{- end -}}
{{- define "w173" -}}x
  y{{ "-}}" }}x
  y{{- /* c */ -}}  {{- end -}}
{{- define "w174" -}}-{{ if false -}} F {{- else -}} E {{- end }}	{{- end -}}
{{- define "w175" -}}{{ "s" }}  {{ 1 }}
{{- /* c */}}
{{- if true }}T{{- end }}a{{- end -}}
{{- define "w176" -}}  {{- 2 }}x
  y{{ 1 }}  {{ "s" }}-{{ 1 }}  {{ `raw
` }} b {{- end -}}
{{- define "w177" -}}-{{/* c */}}a{{- end -}}
{{- define "w178" -}} b {{ 1 }}	{{- -3 -}}a{{- 4 -}}a{{/* c */}}	{{- /* c */ -}}-{{- end -}}
{{- define "w179" -}}	{{ "s" }}	{{ "-}}" }} 
 {{ if false -}} F {{- else -}} E {{- end }}	{{- end -}}
{{- define "w180" -}} 
 {{ if false -}} F {{- else -}} E {{- end }}-{{- -3 -}}a{{- end -}}
{{- define "w181" -}} 
 {{ -3 }} 
 {{/* c */ -}}	{{- /* c */ -}}

{{- end -}}
{{- define "w182" -}}  {{- -3 -}}-{{/* c */}} {{ 1 }}x
  y{{- /* c */}}
{{ `raw
` }}} x{{ 1 }}

{{- end -}}
{{- define "w183" -}}} x{{- range until 2 -}} r {{- end -}}-{{- -3 -}}{{- range until 2 -}} r {{- end -}} {{/* c */}} b {{ -3 }}
{{- end -}}
{{- define "w184" -}}

{{ print " - " }}x
  y{{ 1 }}
{{ "s" }}	{{ print " - " }}-{{ if false -}} F {{- else -}} E {{- end }} 
 {{- end -}}
{{- define "w185" -}}x
  y{{-3}}  {{ if false -}} F {{- else -}} E {{- end }}
{{- end -}}
{{- define "w186" -}}	{{/* c */}}
{{- /* c */ -}}	{{ `raw
` }}x
  y{{ "-}}" }}	{{- if true }}T{{- end }}} x{{ 1 }}a{{- end -}}
{{- define "w187" -}}  {{ 3 -}}  {{- /* c */}}
{{ -3 }}  {{- if true }}T{{- end }}} x{{- end -}}
{{- define "w188" -}} 
 {{ if false -}} F {{- else -}} E {{- end }}a{{- /* c */ -}}	{{- end -}}
{{- define "w189" -}} 
 {{ print " - " }}
{{- end -}}
{{- define "w190" -}}{{ `raw
` }}{{ if false -}} F {{- else -}} E {{- end }}x
  y{{-3}}

{{- 4 -}} 
 {{ "s" }}
{{- end -}}
{{- define "w191" -}}	{{ 1 }}x
  y{{- /* c */}}x
  y{{ 3 -}} {{- end -}}
{{- define "w192" -}}  {{ 3 -}}  {{ if false -}} F {{- else -}} E {{- end }} 
 {{-3}} b {{- end -}}
{{- define "w193" -}}{{ print " - " }}{{ -3 }}	{{- end -}}
{{- define "w194" -}}	{{- 4 -}} b {{ print " - " }} b {{ range $i := until 2 }}[{{ $i }}]{{ end }} 
 {{- 2 }}} x{{- if true }}T{{- end }}
{{- /* c */}}
{{- end -}}
{{- define "w195" -}}{{ print " - " }}-{{/* c */ -}}
{{ 3 -}} 
 {{- end -}}
{{- define "w196" -}}{{- /* c */ -}}a{{ 3 -}} {{ 1 }}-{{- end -}}
{{- define "w197" -}}x
  y{{ "-}}" }}
{{- end -}}
{{- define "w198" -}}} x{{-3}}a{{- end -}}
{{- define "w199" -}} 
 {{ range $i := until 2 }}[{{ $i }}]{{ end }}{{ print " - " }}-{{- 4 -}}{{ "s" }}	{{/* c */}}	{{/* c */ -}}{{- end -}}
