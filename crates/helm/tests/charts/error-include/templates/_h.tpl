{{- define "broken" -}}
value: {{ .Values.missing.deep }}
{{- end -}}
