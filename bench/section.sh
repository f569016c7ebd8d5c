# Sourced by the bench scripts: writes one section of BENCHMARKS.md.
# write_section MARKER HEADING TABLE: replaces what stands between <!-- MARKER:begin -->
# and <!-- MARKER:end --> with TABLE, or appends the section under HEADING.
write_section() {
  local marker=$1 heading=$2 table=$3
  [ -f BENCHMARKS.md ] || printf '# Benchmarks\n\nMade by the scripts in bench/; each section is rewritten by its script.\n' > BENCHMARKS.md
  awk -v table="$table" -v marker="$marker" -v heading="$heading" '
    $0 == "<!-- " marker ":begin -->" { print; print table; skip = 1; done = 1; next }
    $0 == "<!-- " marker ":end -->" { skip = 0 }
    !skip { print }
    END { if (!done) { print "\n## " heading "\n\n<!-- " marker ":begin -->"; print table; print "<!-- " marker ":end -->" } }
  ' BENCHMARKS.md > BENCHMARKS.md.new && mv BENCHMARKS.md.new BENCHMARKS.md
  echo "wrote BENCHMARKS.md"
}
