{{- define "shared" -}}child{{- end -}}
{{- define "child-only" -}}child-only{{- end -}}
{{- define "both" -}}child-both{{- end -}}
