"""A STAND-IN for the `langgraph-dataplane` chart, which cannot be downloaded on these machines.

It has the real chart's default values.yaml (the values contract) and a few templates that use
the values the project sets the way the real chart does: the API key and Redis URL from the
named Secrets, watchNamespaces, hostQueue, the listener id, and one cluster-scoped CRD that only
the release with `operator.createCRDs` creates (two creators would make the second install fail,
as with the real chart).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.artifacts import listener_chart

CHART_NAME = "langgraph-dataplane-standin"

CHART_YAML = f"""\
apiVersion: v2
name: {CHART_NAME}
description: STAND-IN for langgraph-dataplane 0.2.22 (tests only; the real chart cannot be downloaded here)
type: application
version: 0.2.22-standin
appVersion: "0.16.36"
"""

LISTENER = """\
{{- if .Values.config.langsmithApiKey }}{{ fail "config.langsmithApiKey must not be set" }}{{ end }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-listener
  labels: {{- toYaml .Values.commonLabels | nindent 4 }}
spec:
  replicas: 0
  selector:
    matchLabels: {app: {{ .Release.Name }}-listener}
  template:
    metadata:
      labels: {app: {{ .Release.Name }}-listener}
    spec:
      automountServiceAccountToken: false
      containers:
        - name: listener
          image: "{{ .Values.images.listenerImage.repository }}:{{ .Values.images.listenerImage.tag }}"
          env:
            - {name: LANGSMITH_WORKSPACE_ID, value: {{ required "config.langsmithWorkspaceId" .Values.config.langsmithWorkspaceId | quote }}}
            - {name: LANGGRAPH_LISTENER_ID, value: {{ required "config.langgraphListenerId" .Values.config.langgraphListenerId | quote }}}
            - {name: HOST_BACKEND_URL, value: {{ .Values.config.hostBackendUrl | quote }}}
            - {name: SMITH_BACKEND_URL, value: {{ .Values.config.smithBackendUrl | quote }}}
            - {name: WATCH_NAMESPACES, value: {{ .Values.config.watchNamespaces | quote }}}
            - {name: HOST_QUEUE, value: {{ .Values.config.hostQueue | quote }}}
            - name: LANGSMITH_API_KEY
              valueFrom: {secretKeyRef: {name: {{ required "config.existingSecretName" .Values.config.existingSecretName }}, key: langsmith_api_key}}
            {{- if .Values.redis.external.enabled }}
            - name: REDIS_URL
              valueFrom: {secretKeyRef: {name: {{ .Values.redis.external.existingSecretName }}, key: {{ .Values.redis.external.connectionUrlSecretKey }}}}
            {{- end }}
"""

CRD = """\
{{- if .Values.operator.createCRDs }}
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: lgps.standin.langchain.test
spec:
  group: standin.langchain.test
  names: {kind: LGP, plural: lgps, singular: lgp}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
{{- end }}
"""

ROUTING = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-routing
data:
  ingress: {{ .Values.ingress.enabled | quote }}
  gateway: {{ .Values.gateway.enabled | quote }}
  gatewayName: {{ .Values.gateway.name | quote }}
  gatewayNamespace: {{ .Values.gateway.namespace | quote }}
  istio: {{ .Values.istioGateway.enabled | quote }}
"""


def make_standin_chart(directory: Path) -> Path:
    chart = directory / CHART_NAME
    (chart / "templates").mkdir(parents=True, exist_ok=True)
    (chart / "Chart.yaml").write_text(CHART_YAML)
    shutil.copyfile(listener_chart() / "values.yaml", chart / "values.yaml")
    (chart / "templates" / "listener.yaml").write_text(LISTENER)
    (chart / "templates" / "crd.yaml").write_text(CRD)
    (chart / "templates" / "routing.yaml").write_text(ROUTING)
    return chart
