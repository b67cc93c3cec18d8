#!/usr/bin/env bash
# Installs what the WordPress channel tests need (issue 13), from Debian's apt only:
#   - Debian's `wordpress` package (WordPress in /usr/share/wordpress), `php-cli` (PHP's built-in
#     web server serves it; no Apache is started) and `php-mysql`;
#   - MariaDB on 127.0.0.1:3306 (root, no password): started if it is installed and not running,
#     installed from apt (`mariadb-server`) if the machine has none.
#   - /etc/wordpress/config-lanyard-test.php, the host file Debian's wp-config.php looks up: it
#     reads the settings of each test run (a fresh database, a temporary wp-content) from the file
#     named by LANYARD_WP_CONFIG, which test/channels/wordpress.ts writes.
# Idempotent: a second run installs nothing. Prints what it did and how long it took.
set -euo pipefail
started=$(date +%s)
export DEBIAN_FRONTEND=noninteractive

need=()
for pkg in wordpress php-cli php-mysql; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
mysql_up() { (echo >/dev/tcp/127.0.0.1/3306) >/dev/null 2>&1; }
if ! mysql_up && ! command -v mariadbd >/dev/null 2>&1 && ! command -v mysqld >/dev/null 2>&1; then
  need+=(mariadb-server)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "apt-get install ${need[*]}"
  apt-get update -qq
  # No recommends: Apache is pulled in by the package's dependencies but never started (the
  # tests use PHP's built-in server); policy-rc.d, where the machine has one, keeps it stopped.
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if ! mysql_up; then
  echo "starting MariaDB"
  if command -v service >/dev/null 2>&1 && service mariadb start >/dev/null 2>&1; then :; else
    mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
    (mysqld_safe --bind-address=127.0.0.1 >/dev/null 2>&1 &)
  fi
  for _ in $(seq 1 30); do mysql_up && break; sleep 1; done
fi
mysql -h 127.0.0.1 -u root -e 'SELECT 1' >/dev/null

install -d /etc/wordpress
cat >/etc/wordpress/config-lanyard-test.php <<'PHP'
<?php
// Lanyard's WordPress channel tests (test/channels/install-wordpress.sh): the settings of one
// test run, from the file test/channels/wordpress.ts wrote. Nothing here is used by a real site.
$lanyard_config = getenv('LANYARD_WP_CONFIG');
if (!$lanyard_config || !is_file($lanyard_config)) {
    header('HTTP/1.0 500 Internal Server Error');
    echo 'LANYARD_WP_CONFIG does not name a file.';
    exit(1);
}
require $lanyard_config;
PHP
echo "WordPress $(sed -n "s/^\$wp_version = '\(.*\)';/\1/p" /usr/share/wordpress/wp-includes/version.php)," \
  "$(php -r 'echo "PHP ", PHP_VERSION;'), MariaDB $(mysql -h 127.0.0.1 -u root -NBe 'SELECT VERSION()')" \
  "ready in $(( $(date +%s) - started )) s"
