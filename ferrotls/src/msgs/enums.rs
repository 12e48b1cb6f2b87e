//! The enumerated types of TLS 1.2 and TLS 1.3, with their IANA names.
//!
//! Values come from RFC 8446 §4 and Appendix B, RFC 5246 §7 and Appendix A,
//! and the extension RFCs named on each type.
#![allow(non_camel_case_types)]

use super::wire_enum::wire_enum;

wire_enum! {
    /// `ContentType` of a record (RFC 8446 §5.1, RFC 5246 §6.2.1).
    pub enum ContentType: u8 {
        Invalid = 0 => "invalid",
        ChangeCipherSpec = 20 => "change_cipher_spec",
        Alert = 21 => "alert",
        Handshake = 22 => "handshake",
        ApplicationData = 23 => "application_data",
        Heartbeat = 24 => "heartbeat",
    }
}

wire_enum! {
    /// `ProtocolVersion` (RFC 8446 §4.1.2, §4.2.1).
    pub enum ProtocolVersion: u16 {
        SSLv3 = 0x0300 => "SSLv3",
        TLSv1_0 = 0x0301 => "TLSv1.0",
        TLSv1_1 = 0x0302 => "TLSv1.1",
        TLSv1_2 = 0x0303 => "TLSv1.2",
        TLSv1_3 = 0x0304 => "TLSv1.3",
    }
}

wire_enum! {
    /// `HandshakeType` (RFC 8446 §4, RFC 5246 §7.4, RFC 4680, RFC 6066).
    pub enum HandshakeType: u8 {
        HelloRequest = 0 => "hello_request",
        ClientHello = 1 => "client_hello",
        ServerHello = 2 => "server_hello",
        HelloVerifyRequest = 3 => "hello_verify_request",
        NewSessionTicket = 4 => "new_session_ticket",
        EndOfEarlyData = 5 => "end_of_early_data",
        HelloRetryRequest = 6 => "hello_retry_request",
        EncryptedExtensions = 8 => "encrypted_extensions",
        Certificate = 11 => "certificate",
        ServerKeyExchange = 12 => "server_key_exchange",
        CertificateRequest = 13 => "certificate_request",
        ServerHelloDone = 14 => "server_hello_done",
        CertificateVerify = 15 => "certificate_verify",
        ClientKeyExchange = 16 => "client_key_exchange",
        Finished = 20 => "finished",
        CertificateUrl = 21 => "certificate_url",
        CertificateStatus = 22 => "certificate_status",
        SupplementalData = 23 => "supplemental_data",
        KeyUpdate = 24 => "key_update",
        CompressedCertificate = 25 => "compressed_certificate",
        MessageHash = 254 => "message_hash",
    }
}

wire_enum! {
    /// `CipherSuite` (RFC 8446 §B.4; RFC 5288, RFC 5289, RFC 7905 for TLS 1.2).
    pub enum CipherSuite: u16 {
        TLS_AES_128_GCM_SHA256 = 0x1301 => "TLS_AES_128_GCM_SHA256",
        TLS_AES_256_GCM_SHA384 = 0x1302 => "TLS_AES_256_GCM_SHA384",
        TLS_CHACHA20_POLY1305_SHA256 = 0x1303 => "TLS_CHACHA20_POLY1305_SHA256",
        TLS_AES_128_CCM_SHA256 = 0x1304 => "TLS_AES_128_CCM_SHA256",
        TLS_AES_128_CCM_8_SHA256 = 0x1305 => "TLS_AES_128_CCM_8_SHA256",
        TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 = 0xc02b => "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 = 0xc02c => "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 = 0xc02f => "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 = 0xc030 => "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 = 0xcca8 => "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 = 0xcca9 => "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256 = 0xccaa => "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 = 0x009e => "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
        TLS_DHE_RSA_WITH_AES_256_GCM_SHA384 = 0x009f => "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
        TLS_RSA_WITH_AES_128_GCM_SHA256 = 0x009c => "TLS_RSA_WITH_AES_128_GCM_SHA256",
        TLS_RSA_WITH_AES_256_GCM_SHA384 = 0x009d => "TLS_RSA_WITH_AES_256_GCM_SHA384",
        TLS_RSA_WITH_AES_128_CBC_SHA = 0x002f => "TLS_RSA_WITH_AES_128_CBC_SHA",
        TLS_RSA_WITH_AES_256_CBC_SHA = 0x0035 => "TLS_RSA_WITH_AES_256_CBC_SHA",
        TLS_RSA_WITH_AES_128_CBC_SHA256 = 0x003c => "TLS_RSA_WITH_AES_128_CBC_SHA256",
        TLS_RSA_WITH_AES_256_CBC_SHA256 = 0x003d => "TLS_RSA_WITH_AES_256_CBC_SHA256",
        TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA = 0xc009 => "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
        TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA = 0xc00a => "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
        TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA = 0xc013 => "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
        TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA = 0xc014 => "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        /// Signalling value of RFC 5746 §3.3.
        TLS_EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff => "TLS_EMPTY_RENEGOTIATION_INFO_SCSV",
        /// Signalling value of RFC 7507.
        TLS_FALLBACK_SCSV = 0x5600 => "TLS_FALLBACK_SCSV",
    }
}

wire_enum! {
    /// `NamedGroup` (RFC 8446 §4.2.7, RFC 7919, RFC 8422; hybrid ML-KEM groups
    /// from the IANA registry).
    pub enum NamedGroup: u16 {
        Secp256r1 = 0x0017 => "secp256r1",
        Secp384r1 = 0x0018 => "secp384r1",
        Secp521r1 = 0x0019 => "secp521r1",
        X25519 = 0x001d => "x25519",
        X448 = 0x001e => "x448",
        Ffdhe2048 = 0x0100 => "ffdhe2048",
        Ffdhe3072 = 0x0101 => "ffdhe3072",
        Ffdhe4096 = 0x0102 => "ffdhe4096",
        Ffdhe6144 = 0x0103 => "ffdhe6144",
        Ffdhe8192 = 0x0104 => "ffdhe8192",
        SecP256r1MLKEM768 = 0x11eb => "SecP256r1MLKEM768",
        X25519MLKEM768 = 0x11ec => "X25519MLKEM768",
        SecP384r1MLKEM1024 = 0x11ed => "SecP384r1MLKEM1024",
    }
}

impl NamedGroup {
    /// Whether this is a finite-field group of RFC 7919 (range 0x0100..=0x01ff, §2).
    pub const fn is_ffdhe(self) -> bool {
        matches!(self.to_wire(), 0x0100..=0x01ff)
    }
}

wire_enum! {
    /// `SignatureScheme` (RFC 8446 §4.2.3). In TLS 1.2 the same two bytes
    /// are the `SignatureAndHashAlgorithm` pair of RFC 5246 §7.4.1.4.1.
    pub enum SignatureScheme: u16 {
        RsaPkcs1Sha1 = 0x0201 => "rsa_pkcs1_sha1",
        EcdsaSha1 = 0x0203 => "ecdsa_sha1",
        RsaPkcs1Sha256 = 0x0401 => "rsa_pkcs1_sha256",
        RsaPkcs1Sha384 = 0x0501 => "rsa_pkcs1_sha384",
        RsaPkcs1Sha512 = 0x0601 => "rsa_pkcs1_sha512",
        EcdsaSecp256r1Sha256 = 0x0403 => "ecdsa_secp256r1_sha256",
        EcdsaSecp384r1Sha384 = 0x0503 => "ecdsa_secp384r1_sha384",
        EcdsaSecp521r1Sha512 = 0x0603 => "ecdsa_secp521r1_sha512",
        RsaPssRsaeSha256 = 0x0804 => "rsa_pss_rsae_sha256",
        RsaPssRsaeSha384 = 0x0805 => "rsa_pss_rsae_sha384",
        RsaPssRsaeSha512 = 0x0806 => "rsa_pss_rsae_sha512",
        Ed25519 = 0x0807 => "ed25519",
        Ed448 = 0x0808 => "ed448",
        RsaPssPssSha256 = 0x0809 => "rsa_pss_pss_sha256",
        RsaPssPssSha384 = 0x080a => "rsa_pss_pss_sha384",
        RsaPssPssSha512 = 0x080b => "rsa_pss_pss_sha512",
    }
}

wire_enum! {
    /// `ExtensionType` (RFC 8446 §4.2 and the RFCs named per value).
    pub enum ExtensionType: u16 {
        ServerName = 0 => "server_name",
        MaxFragmentLength = 1 => "max_fragment_length",
        ClientCertificateUrl = 2 => "client_certificate_url",
        TrustedCaKeys = 3 => "trusted_ca_keys",
        TruncatedHmac = 4 => "truncated_hmac",
        StatusRequest = 5 => "status_request",
        UserMapping = 6 => "user_mapping",
        SupportedGroups = 10 => "supported_groups",
        EcPointFormats = 11 => "ec_point_formats",
        SignatureAlgorithms = 13 => "signature_algorithms",
        UseSrtp = 14 => "use_srtp",
        Heartbeat = 15 => "heartbeat",
        ApplicationLayerProtocolNegotiation = 16 => "application_layer_protocol_negotiation",
        SignedCertificateTimestamp = 18 => "signed_certificate_timestamp",
        ClientCertificateType = 19 => "client_certificate_type",
        ServerCertificateType = 20 => "server_certificate_type",
        Padding = 21 => "padding",
        EncryptThenMac = 22 => "encrypt_then_mac",
        ExtendedMasterSecret = 23 => "extended_master_secret",
        CompressCertificate = 27 => "compress_certificate",
        RecordSizeLimit = 28 => "record_size_limit",
        SessionTicket = 35 => "session_ticket",
        PreSharedKey = 41 => "pre_shared_key",
        EarlyData = 42 => "early_data",
        SupportedVersions = 43 => "supported_versions",
        Cookie = 44 => "cookie",
        PskKeyExchangeModes = 45 => "psk_key_exchange_modes",
        CertificateAuthorities = 47 => "certificate_authorities",
        OidFilters = 48 => "oid_filters",
        PostHandshakeAuth = 49 => "post_handshake_auth",
        SignatureAlgorithmsCert = 50 => "signature_algorithms_cert",
        KeyShare = 51 => "key_share",
        RenegotiationInfo = 0xff01 => "renegotiation_info",
    }
}

wire_enum! {
    /// `AlertLevel` (RFC 8446 §6, RFC 5246 §7.2).
    pub enum AlertLevel: u8 {
        Warning = 1 => "warning",
        Fatal = 2 => "fatal",
    }
}

wire_enum! {
    /// `AlertDescription`: every value of RFC 8446 §6 and RFC 5246 §7.2.
    pub enum AlertDescription: u8 {
        CloseNotify = 0 => "close_notify",
        UnexpectedMessage = 10 => "unexpected_message",
        BadRecordMac = 20 => "bad_record_mac",
        DecryptionFailed = 21 => "decryption_failed",
        RecordOverflow = 22 => "record_overflow",
        DecompressionFailure = 30 => "decompression_failure",
        HandshakeFailure = 40 => "handshake_failure",
        NoCertificate = 41 => "no_certificate",
        BadCertificate = 42 => "bad_certificate",
        UnsupportedCertificate = 43 => "unsupported_certificate",
        CertificateRevoked = 44 => "certificate_revoked",
        CertificateExpired = 45 => "certificate_expired",
        CertificateUnknown = 46 => "certificate_unknown",
        IllegalParameter = 47 => "illegal_parameter",
        UnknownCa = 48 => "unknown_ca",
        AccessDenied = 49 => "access_denied",
        DecodeError = 50 => "decode_error",
        DecryptError = 51 => "decrypt_error",
        ExportRestriction = 60 => "export_restriction",
        ProtocolVersion = 70 => "protocol_version",
        InsufficientSecurity = 71 => "insufficient_security",
        InternalError = 80 => "internal_error",
        InappropriateFallback = 86 => "inappropriate_fallback",
        UserCanceled = 90 => "user_canceled",
        NoRenegotiation = 100 => "no_renegotiation",
        MissingExtension = 109 => "missing_extension",
        UnsupportedExtension = 110 => "unsupported_extension",
        CertificateUnobtainable = 111 => "certificate_unobtainable",
        UnrecognizedName = 112 => "unrecognized_name",
        BadCertificateStatusResponse = 113 => "bad_certificate_status_response",
        BadCertificateHashValue = 114 => "bad_certificate_hash_value",
        UnknownPskIdentity = 115 => "unknown_psk_identity",
        CertificateRequired = 116 => "certificate_required",
        NoApplicationProtocol = 120 => "no_application_protocol",
    }
}

wire_enum! {
    /// `CompressionMethod` (RFC 5246 §7.4.1.2); only `null` is ever accepted.
    pub enum CompressionMethod: u8 {
        Null = 0 => "null",
        Deflate = 1 => "deflate",
    }
}

wire_enum! {
    /// `PskKeyExchangeMode` (RFC 8446 §4.2.9).
    pub enum PskKeyExchangeMode: u8 {
        PskKe = 0 => "psk_ke",
        PskDheKe = 1 => "psk_dhe_ke",
    }
}

wire_enum! {
    /// `KeyUpdateRequest` (RFC 8446 §4.6.3).
    pub enum KeyUpdateRequest: u8 {
        UpdateNotRequested = 0 => "update_not_requested",
        UpdateRequested = 1 => "update_requested",
    }
}

wire_enum! {
    /// `NameType` of server_name (RFC 6066 §3).
    pub enum ServerNameType: u8 {
        HostName = 0 => "host_name",
    }
}

wire_enum! {
    /// `MaxFragmentLength` (RFC 6066 §4): 2^9 .. 2^12 bytes.
    pub enum MaxFragmentLength: u8 {
        Pow2_9 = 1 => "2^9",
        Pow2_10 = 2 => "2^10",
        Pow2_11 = 3 => "2^11",
        Pow2_12 = 4 => "2^12",
    }
}

wire_enum! {
    /// `CertificateStatusType` (RFC 6066 §8).
    pub enum CertificateStatusType: u8 {
        Ocsp = 1 => "ocsp",
    }
}

wire_enum! {
    /// `CertChainType` of client_certificate_url (RFC 6066 §5).
    pub enum CertChainType: u8 {
        IndividualCerts = 0 => "individual_certs",
        PkiPath = 1 => "pkipath",
    }
}

wire_enum! {
    /// `IdentifierType` of trusted_ca_keys (RFC 6066 §6).
    pub enum TrustedAuthorityType: u8 {
        PreAgreed = 0 => "pre_agreed",
        KeySha1Hash = 1 => "key_sha1_hash",
        X509Name = 2 => "x509_name",
        CertSha1Hash = 3 => "cert_sha1_hash",
    }
}

wire_enum! {
    /// `UserMappingType` (RFC 4681 §2).
    pub enum UserMappingType: u8 {
        UpnDomainHint = 64 => "upn_domain_hint",
    }
}

wire_enum! {
    /// `SupplementalDataType` (RFC 4680 §2, RFC 4681 §3).
    pub enum SupplementalDataType: u16 {
        UserMappingData = 0 => "user_mapping_data",
    }
}

wire_enum! {
    /// `ECPointFormat` (RFC 8422 §5.1.2); only `uncompressed` is used.
    pub enum EcPointFormat: u8 {
        Uncompressed = 0 => "uncompressed",
        AnsiX962CompressedPrime = 1 => "ansiX962_compressed_prime",
        AnsiX962CompressedChar2 = 2 => "ansiX962_compressed_char2",
    }
}

wire_enum! {
    /// `ECCurveType` of ServerKeyExchange (RFC 8422 §5.4); only `named_curve` is used.
    pub enum EcCurveType: u8 {
        ExplicitPrime = 1 => "explicit_prime",
        ExplicitChar2 = 2 => "explicit_char2",
        NamedCurve = 3 => "named_curve",
    }
}

wire_enum! {
    /// `ClientCertificateType` of the TLS 1.2 CertificateRequest
    /// (RFC 5246 §7.4.4, RFC 8422 §5.5).
    pub enum ClientCertificateType: u8 {
        RsaSign = 1 => "rsa_sign",
        DssSign = 2 => "dss_sign",
        RsaFixedDh = 3 => "rsa_fixed_dh",
        DssFixedDh = 4 => "dss_fixed_dh",
        EcdsaSign = 64 => "ecdsa_sign",
        RsaFixedEcdh = 65 => "rsa_fixed_ecdh",
        EcdsaFixedEcdh = 66 => "ecdsa_fixed_ecdh",
    }
}

wire_enum! {
    /// `CertificateType` of client_certificate_type / server_certificate_type (RFC 7250 §3).
    pub enum CertificateType: u8 {
        X509 = 0 => "X509",
        RawPublicKey = 2 => "RawPublicKey",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::Codec;

    #[test]
    fn unknown_values_round_trip_and_compare_by_wire_value() {
        // A GREASE value (RFC 8701) is kept as it is.
        let grease = CipherSuite::from_wire(0x0a0a);
        assert_eq!(grease, CipherSuite::Unknown(0x0a0a));
        assert_eq!(grease.to_bytes(), [0x0a, 0x0a]);
        assert_eq!(grease.to_string(), "unknown(0xa0a)");
        assert_eq!(
            CipherSuite::Unknown(0x1301),
            CipherSuite::TLS_AES_128_GCM_SHA256
        );
    }

    #[test]
    fn names_are_iana_names() {
        assert_eq!(NamedGroup::X25519MLKEM768.to_wire(), 0x11ec);
        assert_eq!(ProtocolVersion::TLSv1_3.to_string(), "TLSv1.3");
        assert_eq!(
            SignatureScheme::from_wire(0x0804).to_string(),
            "rsa_pss_rsae_sha256"
        );
        assert_eq!(
            AlertDescription::from_wire(116).to_string(),
            "certificate_required"
        );
        assert!(NamedGroup::Ffdhe3072.is_ffdhe());
        assert!(!NamedGroup::X25519.is_ffdhe());
    }

    #[test]
    fn every_named_value_is_distinct_and_decodes_to_itself() {
        fn check<T: Codec + PartialEq + core::fmt::Debug + Copy>(all: &[T]) {
            for (i, a) in all.iter().enumerate() {
                assert_eq!(T::from_bytes(&a.to_bytes()).unwrap(), *a);
                for b in all.iter().skip(i + 1) {
                    assert_ne!(a, b);
                }
            }
        }
        check(ContentType::ALL);
        check(ProtocolVersion::ALL);
        check(HandshakeType::ALL);
        check(CipherSuite::ALL);
        check(NamedGroup::ALL);
        check(SignatureScheme::ALL);
        check(ExtensionType::ALL);
        check(AlertDescription::ALL);
    }
}
