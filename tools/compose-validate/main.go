// compose-validate loads a Compose file with compose-go (the loader that
// `docker compose` uses), validates it against the embedded Compose
// Specification schema and prints the normalized project as JSON.
//
// Usage: compose-validate [--profile NAME]... [--project-name NAME] FILE
//
// Exit status: 0 valid, 1 invalid (loader error on stderr), 2 bad usage.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
)

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func main() {
	var profiles stringList
	fs := flag.NewFlagSet("compose-validate", flag.ContinueOnError)
	fs.Var(&profiles, "profile", "enable a profile (repeatable)")
	name := fs.String("project-name", "", "project name (default: derived from the file's directory)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: compose-validate [--profile NAME]... [--project-name NAME] FILE")
		fs.PrintDefaults()
	}
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if fs.NArg() != 1 {
		fs.Usage()
		os.Exit(2)
	}

	out, err := load(fs.Arg(0), *name, profiles)
	if err != nil {
		fmt.Fprintf(os.Stderr, "compose-validate: %v\n", err)
		os.Exit(1)
	}
	os.Stdout.Write(out)
	os.Stdout.Write([]byte("\n"))
}

func load(file, name string, profiles []string) ([]byte, error) {
	opts := []cli.ProjectOptionsFn{
		// Interpolate ${VAR:-default} from the process environment only;
		// WithDotEnv is deliberately absent so no .env file is required.
		cli.WithOsEnv,
		cli.WithProfiles(profiles),
		// Keep build contexts relative: nothing is built, so nothing needs
		// to exist on disk beyond the compose file itself.
		cli.WithResolvedPaths(false),
		cli.WithInterpolation(true),
		cli.WithNormalization(true),
		cli.WithConsistency(true),
	}
	if name != "" {
		opts = append(opts, cli.WithName(name))
	}
	po, err := cli.NewProjectOptions([]string{file}, opts...)
	if err != nil {
		return nil, err
	}
	// Schema validation is on by default (loader.Options.SkipValidation=false).
	project, err := po.LoadProject(context.Background())
	if err != nil {
		return nil, err
	}
	raw, err := project.MarshalJSON()
	if err != nil {
		return nil, err
	}
	// Re-indent for readability; the content is the loader's own JSON form.
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	return json.MarshalIndent(v, "", "  ")
}
