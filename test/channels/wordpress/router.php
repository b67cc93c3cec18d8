<?php
// Router for PHP's built-in web server in front of Debian's WordPress (test/channels/wordpress.ts):
// uploads come from the test run's own wp-content; PHP files run with the test run's host
// config (/etc/wordpress/config-lanyard-test.php, via WORDPRESS_CONFIG); other files as they are.
$_SERVER['WORDPRESS_CONFIG'] = 'lanyard-test';
$path = rawurldecode(parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) ?: '/');
if (strpos($path, '..') !== false) {
    http_response_code(400);
    return true;
}
if (strncmp($path, '/wp-content/uploads/', 20) === 0) {
    $file = getenv('LANYARD_WP_CONTENT') . substr($path, 11);
    if (!is_file($file)) {
        http_response_code(404);
        return true;
    }
    header('Content-Type: ' . (mime_content_type($file) ?: 'application/octet-stream'));
    header('Content-Length: ' . filesize($file));
    readfile($file);
    return true;
}
$root = '/usr/share/wordpress';
$script = $path === '/' || substr($path, -1) === '/' ? $path . 'index.php' : $path;
if (substr($script, -4) === '.php' && is_file($root . $script)) {
    $_SERVER['SCRIPT_NAME'] = $script;
    $_SERVER['PHP_SELF'] = $script;
    $_SERVER['SCRIPT_FILENAME'] = $root . $script;
    chdir(dirname($root . $script));
    require $root . $script;
    return true;
}
if (is_file($root . $path)) return false;
$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['PHP_SELF'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $root . '/index.php';
chdir($root);
require $root . '/index.php';
