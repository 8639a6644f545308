{{- define "greet" -}}hello {{ . }}{{- end -}}
{{- define "shadowed" -}}from-a{{- end -}}
{{- define "withdot" -}}{{ .Values.who }}/{{ .Chart.Name }}{{- end -}}
