{{/* Labels shared by every object; the selector labels are the first three. */}}
{{- define "keel.selectorLabels" -}}
app.kubernetes.io/name: keel
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: broker
{{- end }}

{{- define "keel.headless" -}}
{{ .Release.Name }}-headless
{{- end }}

{{/* 1@keel-0.keel-headless:9091,2@keel-1.keel-headless:9091,... */}}
{{- define "keel.voters" -}}
{{- $voters := list -}}
{{- range $i := until (int (min .Values.replicas .Values.controllerVoters)) -}}
{{- $voters = append $voters (printf "%d@%s-%d.%s-headless:%d" (add1 $i) $.Release.Name $i $.Release.Name (int $.Values.ports.grpc)) -}}
{{- end -}}
{{- join "," $voters -}}
{{- end }}
