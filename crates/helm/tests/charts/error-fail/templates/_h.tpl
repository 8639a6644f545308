{{- define "check" -}}
{{- if not .Values.ok }}{{ fail (printf "check failed for %s" .Release.Name) }}{{ end -}}
{{- end -}}
