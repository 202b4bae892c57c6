// Drydock starter rules: cryptocurrency miners as they turn up in compromised containers (XMRig and
// its configuration, stratum pool URLs). Written for Drydock from the public sources named in each
// rule's meta.
rule Drydock_Miner_Stratum_URL
{
    meta:
        description = "A stratum mining-pool URL (stratum+tcp://, stratum+ssl://, stratum2+tcp://)"
        source = "Drydock starter rules (resources/yara/cryptominers.yar)"
        reference = "https://en.bitcoin.it/wiki/Stratum_mining_protocol"
        severity = "high"
    strings:
        $stratum = /stratum2?\+(tcp|ssl|tls):\/\/[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?/ nocase
    condition:
        $stratum
}

rule Drydock_Miner_XMRig
{
    meta:
        description = "XMRig, the Monero miner most often dropped into containers: its banner, options and config keys"
        source = "Drydock starter rules (resources/yara/cryptominers.yar)"
        reference = "https://xmrig.com/docs/miner/command-line-options"
        severity = "high"
    strings:
        $name = "xmrig" nocase
        $opt1 = "--donate-level"
        $opt2 = "--cpu-max-threads-hint"
        $opt3 = "\"donate-level\""
        $opt4 = "randomx" nocase
        $opt5 = "\"nicehash\""
    condition:
        $name and 2 of ($opt*)
}

rule Drydock_Miner_Pool_Hosts
{
    meta:
        description = "Host names of public Monero mining pools commonly seen in container compromises"
        source = "Drydock starter rules (resources/yara/cryptominers.yar)"
        reference = "https://miningpoolstats.stream/monero"
        severity = "medium"
    strings:
        $p1 = "pool.minexmr.com" nocase
        $p2 = "xmr.nanopool.org" nocase
        $p3 = "pool.supportxmr.com" nocase
        $p4 = "xmrpool.eu" nocase
        $p5 = "monerohash.com" nocase
        $p6 = "c3pool.com" nocase
        $p7 = "hashvault.pro" nocase
        $p8 = "moneroocean.stream" nocase
    condition:
        any of them
}
