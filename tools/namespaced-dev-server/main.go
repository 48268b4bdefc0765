// Command namespaced-dev-server runs the Temporal CLI's dev server (its own Go package, from the
// same module version as the CLI the project builds) with dynamic config values that hold for one
// namespace each. `temporal server start-dev --dynamic-config-value` sets a value for every
// namespace; the continue-as-new fuzz suite needs one server whose namespaces each suggest
// continuing as new after a different number of events.
//
//	namespaced-dev-server --port 7233 \
//	  --namespace fuzz-5 --namespace-config-value 'fuzz-5:limit.historyCount.suggestContinueAsNew=5' \
//	  --dynamic-config-value 'history.timerProcessorMaxTimeShift="50ms"' --search-attribute CodikaStatus=Keyword
//
// It prints "ready <address>" once the frontend answers, and stops on SIGINT or SIGTERM.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/google/uuid"
	"github.com/temporalio/cli/temporalcli/devserver"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/server/common/dynamicconfig"
)

// repeated collects a flag given several times.
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, ",") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

// The CLI's own defaults for its dev server: search attributes visible at once (the cache would
// otherwise hide them for a while), and persistence rates raised to match.
var devServerDefaults = map[string]any{
	"system.forceSearchAttributesCacheRefreshOnRead": true,
	"frontend.persistenceMaxQPS":                     10000,
	"history.persistenceMaxQPS":                      45000,
}

func main() {
	ip := flag.String("ip", "127.0.0.1", "IP the frontend binds")
	port := flag.Int("port", 7233, "frontend gRPC port")
	var namespaces, globalValues, namespaceValues, searchAttributes repeated
	flag.Var(&namespaces, "namespace", "namespace to create besides default (repeatable)")
	flag.Var(&globalValues, "dynamic-config-value", "KEY=JSON for every namespace (repeatable)")
	flag.Var(&namespaceValues, "namespace-config-value", "NAMESPACE:KEY=JSON for one namespace (repeatable)")
	flag.Var(&searchAttributes, "search-attribute", "NAME=TYPE to register, TYPE Keyword (repeatable)")
	flag.Parse()

	values, err := dynamicConfig(globalValues, namespaceValues)
	if err != nil {
		fail("dynamic config: %v", err)
	}
	attributes := map[string]enums.IndexedValueType{}
	for _, attribute := range searchAttributes {
		name, kind, ok := strings.Cut(attribute, "=")
		if !ok || kind != "Keyword" {
			fail("--search-attribute %q: expected NAME=Keyword", attribute)
		}
		attributes[name] = enums.INDEXED_VALUE_TYPE_KEYWORD
	}
	server, err := devserver.Start(devserver.StartOptions{
		FrontendIP:             *ip,
		FrontendPort:           *port,
		Namespaces:             append([]string{"default"}, namespaces...),
		ClusterID:              uuid.NewString(),
		MasterClusterName:      "active",
		CurrentClusterName:     "active",
		InitialFailoverVersion: 1,
		Logger:                 slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		LogLevel:               slog.LevelWarn,
		MetricsPort:            devserver.MustGetFreePort(*ip),
		DynamicConfigValues:    values,
		SearchAttributes:       attributes,
	})
	if err != nil {
		fail("starting the server: %v", err)
	}
	fmt.Printf("ready %s:%d\n", *ip, *port)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
	server.Stop()
}

// dynamicConfig builds the server's values: a plain value holds for every namespace; a key with
// namespace values becomes a list of constrained values, the plain value (if any) last, as the
// fallback for the other namespaces.
func dynamicConfig(globalValues, namespaceValues []string) (map[string]any, error) {
	values := map[string]any{}
	for k, v := range devServerDefaults {
		values[k] = v
	}
	for _, pair := range globalValues {
		key, value, err := keyValue(pair)
		if err != nil {
			return nil, err
		}
		values[key] = value
	}
	constrained := map[string][]dynamicconfig.ConstrainedValue{}
	for _, entry := range namespaceValues {
		namespace, pair, ok := strings.Cut(entry, ":")
		if !ok || namespace == "" {
			return nil, fmt.Errorf("%q: expected NAMESPACE:KEY=JSON", entry)
		}
		key, value, err := keyValue(pair)
		if err != nil {
			return nil, err
		}
		constrained[key] = append(constrained[key], dynamicconfig.ConstrainedValue{
			Constraints: dynamicconfig.Constraints{Namespace: namespace},
			Value:       value,
		})
	}
	for key, list := range constrained {
		if fallback, ok := values[key]; ok {
			list = append(list, dynamicconfig.ConstrainedValue{Value: fallback})
		}
		values[key] = list
	}
	return values, nil
}

// keyValue reads KEY=JSON; whole JSON numbers become int, the only integer type dynamic config reads.
func keyValue(pair string) (string, any, error) {
	key, raw, ok := strings.Cut(pair, "=")
	if !ok || key == "" {
		return "", nil, fmt.Errorf("%q: expected KEY=JSON", pair)
	}
	decoder := json.NewDecoder(bytes.NewReader([]byte(raw)))
	decoder.UseNumber()
	var value any
	if err := decoder.Decode(&value); err != nil {
		return "", nil, fmt.Errorf("%q: the value is not JSON: %v", pair, err)
	}
	if number, ok := value.(json.Number); ok {
		if whole, err := number.Int64(); err == nil {
			return key, int(whole), nil
		}
		float, err := number.Float64()
		if err != nil {
			return "", nil, fmt.Errorf("%q: not a number JSON can hold", pair)
		}
		return key, float, nil
	}
	return key, value, nil
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "namespaced-dev-server: "+format+"\n", args...)
	os.Exit(2)
}
