// Drydock starter rules: common reverse-shell one-liners, as found in dropped scripts, cron entries,
// shell histories and process memory. Written for Drydock from the public one-liner collections
// named in each rule's meta; expect hits on security tooling that carries the same strings.
rule Drydock_ReverseShell_Bash_DevTcp
{
    meta:
        description = "bash redirecting an interactive shell to /dev/tcp (bash -i >& /dev/tcp/HOST/PORT 0>&1)"
        source = "Drydock starter rules (resources/yara/reverse-shells.yar)"
        reference = "https://github.com/swisskyrepo/PayloadsAllTheThings/blob/master/Methodology%20and%20Resources/Reverse%20Shell%20Cheatsheet.md"
        severity = "high"
    strings:
        $devtcp = /\/dev\/(tcp|udp)\/[A-Za-z0-9.:_-]{1,253}\/[0-9]{1,5}/
        $i = /(ba|z|k)?sh -i/
    condition:
        $devtcp and $i
}

rule Drydock_ReverseShell_Netcat_Exec
{
    meta:
        description = "netcat or ncat handing a shell to a remote peer (nc -e /bin/sh, ncat --exec)"
        source = "Drydock starter rules (resources/yara/reverse-shells.yar)"
        reference = "https://github.com/swisskyrepo/PayloadsAllTheThings/blob/master/Methodology%20and%20Resources/Reverse%20Shell%20Cheatsheet.md"
        severity = "high"
    strings:
        $nc = /\bn(c|cat|etcat)(\.traditional)? [^\n]{0,80}-(e|c) ?\/bin\/(ba)?sh/
        $ncat = /\bncat [^\n]{0,80}--(exec|sh-exec) /
        $fifo = /mkfifo [^\n]{0,60}\|[^\n]{0,40}\bnc /
    condition:
        any of them
}

rule Drydock_ReverseShell_Script_Socket
{
    meta:
        description = "Python, Perl or PHP one-liners that connect a socket and attach a shell to it"
        source = "Drydock starter rules (resources/yara/reverse-shells.yar)"
        reference = "https://pentestmonkey.net/cheat-sheet/shells/reverse-shell-cheat-sheet"
        severity = "high"
    strings:
        $py = /socket\.socket\([^\n]{0,200}\.connect\(\([^\n]{0,300}(os\.dup2|pty\.spawn)/
        $perl = /socket\(S,PF_INET,SOCK_STREAM[^\n]{0,300}exec\(["']\/bin\/(ba)?sh/
        $php = /fsockopen\([^\n]{0,200}(exec|shell_exec|system|passthru|proc_open)\(["']\/bin\/(ba)?sh/
    condition:
        any of them
}
