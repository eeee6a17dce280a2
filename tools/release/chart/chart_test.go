// Package chart_test renders deploy/helm/notifyd with Helm's own engine, lints it as
// helm lint does, and validates every manifest with kubeconform against the schemas
// committed in deploy/helm/schemas: no cluster and no network.
package chart_test

import (
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/yannh/kubeconform/pkg/validator"
	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/common/util"
	"helm.sh/helm/v4/pkg/chart/v2/lint"
	"helm.sh/helm/v4/pkg/chart/v2/lint/support"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/engine"
	"sigs.k8s.io/yaml"

	"github.com/notifyd/notifyd/tools/release/gobuild"
)

const kubeVersion = "v1.34.2" // the spec deploy/helm/schemas was generated from

func paths(t *testing.T) (chartDir, schemas string) {
	t.Helper()
	wd, _ := os.Getwd()
	root, err := gobuild.Root(wd)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(root, "deploy/helm/notifyd"), filepath.Join(root, "deploy/helm/schemas")
}

func values(t *testing.T, file string) map[string]any {
	t.Helper()
	if file == "" {
		return map[string]any{}
	}
	v, err := common.ReadValuesFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return v.AsMap()
}

// render returns the chart's manifests (by template name) with vals over its defaults.
func render(t *testing.T, chartDir string, vals map[string]any) (map[string]string, error) {
	t.Helper()
	return renderAt(t, chartDir, vals, kubeVersion)
}

// renderAt renders as render does, for a cluster of Kubernetes version kubeVersion.
func renderAt(t *testing.T, chartDir string, vals map[string]any, kubeVersion string) (map[string]string, error) {
	t.Helper()
	ch, err := loader.Load(chartDir)
	if err != nil {
		t.Fatal(err)
	}
	caps := common.DefaultCapabilities.Copy()
	kv, err := common.ParseKubeVersion(kubeVersion)
	if err != nil {
		t.Fatal(err)
	}
	caps.KubeVersion = *kv
	rv, err := util.ToRenderValues(ch, vals, common.ReleaseOptions{Name: "notifyd", Namespace: "default", IsInstall: true}, caps)
	if err != nil {
		t.Fatal(err)
	}
	return engine.Render(ch, rv)
}

// objects splits rendered manifests into objects, keyed "Kind/name".
func objects(t *testing.T, out map[string]string) map[string]map[string]any {
	t.Helper()
	objs := map[string]map[string]any{}
	for name, m := range out {
		for doc := range strings.SplitSeq(m, "\n---") {
			if strings.TrimSpace(doc) == "" || !strings.Contains(doc, "kind:") {
				continue
			}
			var o map[string]any
			if err := yaml.Unmarshal([]byte(doc), &o); err != nil {
				t.Fatalf("%s: %v\n%s", name, err, doc)
			}
			meta, _ := o["metadata"].(map[string]any)
			objs[o["kind"].(string)+"/"+meta["name"].(string)] = o
		}
	}
	return objs
}

// Every values example renders, lints clean (as helm lint: no warning, no error) and
// validates against the Kubernetes schemas, strictly (a misspelt field fails).
func TestChartRendersAndValidates(t *testing.T) {
	chartDir, schemas := paths(t)
	v, err := validator.New([]string{schemas + "/{{ .ResourceKind }}{{ .KindSuffix }}.json"}, validator.Opts{Strict: true, KubernetesVersion: strings.TrimPrefix(kubeVersion, "v")})
	if err != nil {
		t.Fatal(err)
	}
	kv, _ := common.ParseKubeVersion(kubeVersion)
	for _, ex := range []string{"", "examples/sqlite.yaml", "examples/postgres.yaml", "examples/mysql.yaml"} {
		t.Run(strings.TrimSuffix(filepath.Base(ex+"default"), ".yaml"), func(t *testing.T) {
			file := ""
			if ex != "" {
				file = filepath.Join(chartDir, ex)
			}
			vals := values(t, file)
			l := lint.RunAll(chartDir, vals, "default", lint.WithKubeVersion(kv))
			for _, m := range l.Messages {
				if m.Severity >= support.WarningSev {
					t.Errorf("lint: %s", m)
				}
			}
			out, err := render(t, chartDir, vals)
			if err != nil {
				t.Fatal(err)
			}
			names := make([]string, 0, len(out))
			for n := range out {
				names = append(names, n)
			}
			sort.Strings(names)
			kinds := 0
			for _, n := range names {
				if strings.HasSuffix(n, ".tpl") || strings.TrimSpace(out[n]) == "" {
					continue
				}
				for _, r := range v.Validate(n, io.NopCloser(strings.NewReader(out[n]))) {
					switch r.Status {
					case validator.Valid:
						kinds++
					case validator.Empty:
					default:
						t.Errorf("%s: %v %v %+v", n, r.Status, r.Err, r.ValidationErrors)
					}
				}
			}
			if kinds < 4 {
				t.Errorf("only %d manifests validated", kinds)
			}
		})
	}
}
