<?php
// The set-up steps the WordPress tests need, run with php-cli against one test run's site
// (LANYARD_WP_CONFIG and LANYARD_WP_URL in the environment). Prints JSON.
//   php wp-tool.php install                   → the site, its admin and an Author; categories
//   php wp-tool.php app-password <login>      → {"password": "...", "uuid": "..."}
//   php wp-tool.php revoke <login> <uuid>     → the application password is deleted
//   php wp-tool.php category <name>           → {"id": n}
$_SERVER['WORDPRESS_CONFIG'] = 'lanyard-test';
$url = parse_url(getenv('LANYARD_WP_URL'));
$_SERVER['HTTP_HOST'] = $url['host'] . ':' . $url['port'];
$_SERVER['SERVER_NAME'] = $url['host'];
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REQUEST_METHOD'] = 'GET';
$command = $argv[1] ?? '';
if ($command === 'install') define('WP_INSTALLING', true);
require '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/user.php';

function out($value) { echo json_encode($value), "\n"; }
function fail($message) { fwrite(STDERR, $message . "\n"); exit(1); }

switch ($command) {
    case 'install':
        $result = wp_install('Oakfield Primary School', 'admin', 'admin@oakfield.example', false, '', wp_generate_password(24));
        update_option('permalink_structure', '');
        $author = wp_insert_user([
            'user_login' => 'lanyard', 'user_pass' => wp_generate_password(24),
            'user_email' => 'lanyard@oakfield.example', 'role' => 'author',
            'display_name' => 'Oakfield news',
        ]);
        if (is_wp_error($author)) fail($author->get_error_message());
        $news = wp_insert_term('School news', 'category');
        if (is_wp_error($news)) fail($news->get_error_message());
        out(['adminId' => $result['user_id'], 'authorId' => $author, 'categoryId' => $news['term_id']]);
        break;
    case 'app-password':
        $user = get_user_by('login', $argv[2] ?? '');
        if (!$user) fail('no such user');
        $created = WP_Application_Passwords::create_new_application_password($user->ID, ['name' => 'Lanyard ' . wp_generate_password(8, false)]);
        if (is_wp_error($created)) fail($created->get_error_message());
        out(['password' => $created[0], 'uuid' => $created[1]['uuid']]);
        break;
    case 'revoke':
        $user = get_user_by('login', $argv[2] ?? '');
        if (!$user) fail('no such user');
        $done = WP_Application_Passwords::delete_application_password($user->ID, $argv[3] ?? '');
        if (is_wp_error($done)) fail($done->get_error_message());
        out(['revoked' => true]);
        break;
    case 'category':
        $term = wp_insert_term($argv[2] ?? '', 'category');
        if (is_wp_error($term)) fail($term->get_error_message());
        out(['id' => $term['term_id']]);
        break;
    default:
        fail('unknown command');
}
