// Drydock starter rules: the EICAR anti-virus test file. Written for Drydock; the string is the one
// EICAR publishes for testing scanners (harmless by design).
rule Drydock_EICAR_Test_File
{
    meta:
        description = "The EICAR anti-malware test string (a harmless file every scanner should flag)"
        source = "Drydock starter rules (resources/yara/eicar.yar)"
        reference = "https://www.eicar.org/download-anti-malware-testfile/"
        severity = "info"
    strings:
        $eicar = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
    condition:
        $eicar
}
