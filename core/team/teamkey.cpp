#include "teamkey.h"

#include "crypto/datakeywrap.h"

namespace countersign::team {

TeamKey::TeamKey(Kind kind, crypto::SecureBuffer secret, const crypto::KdfParams& params)
    : m_kind(kind)
    , m_secret(std::move(secret))
    , m_params(params)
{
}

TeamKey TeamKey::passphrase(crypto::SecureBuffer passphrase)
{
    return TeamKey(Kind::Passphrase, std::move(passphrase), crypto::DataKeyWrap::passphraseParams());
}

TeamKey TeamKey::passphrase(crypto::SecureBuffer passphrase, const crypto::KdfParams& params)
{
    return TeamKey(Kind::Passphrase, std::move(passphrase), params);
}

TeamKey TeamKey::wrappingKey(crypto::SecureBuffer key)
{
    return TeamKey(Kind::WrappingKey, std::move(key), {});
}

Result<TeamKey> TeamKey::fromCredential(const QString& name)
{
    auto key = crypto::DataKeyWrap::readWrappingKeyCredential(name);
    COUNTERSIGN_TRY(key);
    return wrappingKey(std::move(*key));
}

Result<QByteArray> TeamKey::wrap(const crypto::SecureBuffer& dataKey) const
{
    return m_kind == Kind::Passphrase ? crypto::DataKeyWrap::wrapWithPassphrase(dataKey, m_secret, m_params)
                                      : crypto::DataKeyWrap::wrapWithKey(dataKey, m_secret);
}

Result<crypto::SecureBuffer> TeamKey::unwrap(QByteArrayView wrapped) const
{
    return m_kind == Kind::Passphrase ? crypto::DataKeyWrap::unwrapWithPassphrase(wrapped, m_secret)
                                      : crypto::DataKeyWrap::unwrapWithKey(wrapped, m_secret);
}

} // namespace countersign::team
