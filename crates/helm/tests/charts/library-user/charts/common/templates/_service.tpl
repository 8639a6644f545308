{{- define "common.service" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ .Values.name }}
  labels:
    {{- include "common.labels" . | nindent 4 }}
spec:
  ports:
  {{- range .Values.ports }}
    - port: {{ . }}
      name: p{{ . }}
  {{- end }}
{{- end -}}
{{- define "common.labels" -}}
chart: {{ .Chart.Name }}
lib: common
{{- end -}}
