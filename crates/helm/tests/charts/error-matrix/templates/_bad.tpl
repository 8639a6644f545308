{{- define "bad" -}}
{{ .Values.m.a.b.c }}
{{- end -}}
