{{- define "both" -}}parent-deep{{- end -}}
