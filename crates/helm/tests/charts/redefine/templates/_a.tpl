{{- define "shared" -}}parent-a{{- end -}}
{{- define "only-a" -}}a{{- end -}}
