#pragma once

#include "sha256.h"

#include <QByteArray>
#include <QByteArrayView>

namespace countersign::crypto {

class SecureBuffer;

/// HMAC-SHA-256 (RFC 2104) with the keyed inner and outer states computed once, so that
/// authenticating many short messages under one key (the audit chain) costs two hash
/// finalisations each instead of four compressions plus key setup. Copies of the keyed states
/// are made per message, so one object may be used from several threads at once.
class HmacSha256 final {
public:
    explicit HmacSha256(const SecureBuffer& key);
    ~HmacSha256();
    HmacSha256(const HmacSha256&) = delete;
    HmacSha256& operator=(const HmacSha256&) = delete;

    [[nodiscard]] QByteArray mac(QByteArrayView message) const;
    void mac(QByteArrayView message, Digest& out) const;

private:
    Sha256 m_inner; // state after the key XOR ipad block
    Sha256 m_outer; // state after the key XOR opad block
};

} // namespace countersign::crypto
