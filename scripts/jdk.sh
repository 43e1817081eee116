# Sourced by ./conifer and ./run-tests: exports JAVA_HOME as a JDK >= 21 (Lucene 10 needs it), chosen
# from JAVA_HOME, then /usr/lib/jvm/temurin-25-jdk-amd64, then any /usr/lib/jvm/*; fails clearly if none.
java_major() {  # the major version of the java at $1/bin/java, or nothing
  "$1/bin/java" -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit}'
}

pick_jdk() {
  local candidates=() d major
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  candidates+=(/usr/lib/jvm/temurin-25-jdk-amd64)
  for d in /usr/lib/jvm/*; do candidates+=("$d"); done
  for d in "${candidates[@]}"; do
    if [ -x "$d/bin/java" ] && [ -x "$d/bin/javac" ]; then
      major="$(java_major "$d")"
      if [ -n "$major" ] && [ "$major" -ge 21 ]; then echo "$d"; return 0; fi
    fi
  done
  return 1
}

if ! CONIFER_JDK="$(pick_jdk)"; then
  echo "conifer: no JDK 21 or newer found. Set JAVA_HOME to one (Lucene 10 needs Java 21+);" \
       "looked in JAVA_HOME, /usr/lib/jvm/temurin-25-jdk-amd64 and /usr/lib/jvm/*." >&2
  exit 1
fi
export JAVA_HOME="$CONIFER_JDK"
export PATH="$JAVA_HOME/bin:$PATH"

# The JVM flags Conifer runs with: the incubating vector module (SIMD) and native access (mmap) for
# Lucene; on JDK 23+ also quiet use of sun.misc.Unsafe by a dependency (Armeria's shaded JCTools),
# which would otherwise print four warnings at start (JDK 21 and 22 do not know that flag).
CONIFER_JVM_FLAGS=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED)
if [ "$(java_major "$JAVA_HOME")" -ge 23 ]; then CONIFER_JVM_FLAGS+=(--sun-misc-unsafe-memory-access=allow); fi
