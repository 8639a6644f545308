{{- define "x" -}}x{{- end -}}
