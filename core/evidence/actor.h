#pragma once

#include <QString>

#include <optional>

namespace countersign::audit {

/// Who acted, as the audit chain names them: the instance itself ("system"), a member
/// ("member:<id>"), a runtime ("runtime:<name>") or the policy deciding on its own ("policy").
/// Built once here, so a service cannot misspell a prefix or pass an arbitrary string as a party.
class Actor final {
public:
    enum class Kind { System, Member, Runtime, Policy };

    [[nodiscard]] static Actor system() { return Actor(Kind::System, {}); }
    [[nodiscard]] static Actor policy() { return Actor(Kind::Policy, {}); }
    [[nodiscard]] static Actor member(const QString& id) { return Actor(Kind::Member, id); }
    [[nodiscard]] static Actor runtime(const QString& name) { return Actor(Kind::Runtime, name); }
    /// The actor an audit entry names; nullopt for anything else, and for a member or runtime
    /// without a name.
    [[nodiscard]] static std::optional<Actor> parse(const QString& text);

    [[nodiscard]] Kind kind() const { return m_kind; }
    /// The member's id or the runtime's name; empty for system and policy.
    [[nodiscard]] const QString& id() const { return m_id; }
    [[nodiscard]] bool isMember() const { return m_kind == Kind::Member; }
    /// The form the audit chain records.
    [[nodiscard]] QString toString() const;

    friend bool operator==(const Actor&, const Actor&) = default;

private:
    Actor(Kind kind, QString id)
        : m_kind(kind)
        , m_id(std::move(id))
    {
    }

    Kind m_kind;
    QString m_id;
};

} // namespace countersign::audit
