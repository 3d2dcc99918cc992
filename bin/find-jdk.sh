# Sourced by ./mvnw and ./keel: exports JAVA_HOME pointing at a JDK 21 or newer.
# Order: $JAVA_HOME, the `java` on PATH, then the usual install directories. Versions are read
# from each JDK's `release` file, so the search starts no JVM and takes milliseconds.
# POSIX sh: the Maven wrapper runs under /bin/sh.

keel_jdk_major() {
  # Prints the major version of the JDK at $1, or nothing if it is not a JDK.
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] && [ -f "$1/release" ] || return 0
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release"
}

keel_find_jdk() {
  keel_min=21
  # The Maven wrapper runs with `set -f`; the search needs globbing.
  case $- in *f*) keel_noglob=1; set +f ;; *) keel_noglob= ;; esac
  for keel_candidate in "${JAVA_HOME-}" \
      "$(command -v java >/dev/null 2>&1 && dirname "$(dirname "$(readlink -f "$(command -v java)")")")" \
      /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* "${HOME-}"/.sdkman/candidates/java/* \
      /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -n "$keel_candidate" ] && [ -d "$keel_candidate" ] || continue
    keel_major=$(keel_jdk_major "$keel_candidate")
    if [ -n "$keel_major" ] && [ "$keel_major" -ge "$keel_min" ]; then
      JAVA_HOME=$keel_candidate
      export JAVA_HOME
      [ -z "$keel_noglob" ] || set -f
      return 0
    fi
  done
  echo "keel: no JDK $keel_min or newer found (looked at JAVA_HOME, PATH and /usr/lib/jvm);" \
    "install one, e.g. 'apt install openjdk-21-jdk' or Temurin 21, or set JAVA_HOME to it" >&2
  return 1
}

keel_find_jdk || exit 1
