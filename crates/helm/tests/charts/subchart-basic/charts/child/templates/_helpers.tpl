{{- define "child.name" -}}child-{{ .Chart.Name }}{{- end -}}
