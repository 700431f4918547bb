#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <memory>

struct evp_md_ctx_st;

namespace countersign::crypto {

class SecureBuffer;

/// HMAC-SHA-256 (RFC 2104) with the keyed inner and outer states computed once, so that
/// authenticating many short messages under one key (the audit chain) costs two hash
/// finalisations each instead of four compressions plus key setup.
class HmacSha256 final {
public:
    explicit HmacSha256(const SecureBuffer& key);
    ~HmacSha256();
    HmacSha256(const HmacSha256&) = delete;
    HmacSha256& operator=(const HmacSha256&) = delete;

    [[nodiscard]] QByteArray mac(QByteArrayView message) const;

private:
    struct CtxDeleter {
        void operator()(evp_md_ctx_st* ctx) const;
    };
    std::unique_ptr<evp_md_ctx_st, CtxDeleter> m_inner;
    std::unique_ptr<evp_md_ctx_st, CtxDeleter> m_outer;
    std::unique_ptr<evp_md_ctx_st, CtxDeleter> m_work;
};

} // namespace countersign::crypto
