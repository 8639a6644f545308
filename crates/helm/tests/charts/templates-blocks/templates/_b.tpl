{{- define "shadowed" -}}from-b{{- end -}}
{{- define "recursive" -}}{{ if gt (int .) 0 }}{{ . }},{{ include "recursive" (sub (int .) 1) }}{{ end }}{{- end -}}
