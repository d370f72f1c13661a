// Who exists and what can be asked for: principals and targets, loaded from a JSON directory file.
#pragma once

#include "Principal.h"
#include "Rule.h"
#include "Target.h"
#include "core/Error.h"

#include <QHash>
#include <QList>

namespace lapse
{

class Directory
{
public:
    static Result<Directory> fromJson(const QByteArray& json);
    static Result<Directory> load(const QString& path);

    const Principal* principal(const QString& id) const;
    const Target* target(const QString& id) const;
    const QList<Principal>& principals() const { return m_principals; }
    const QList<Target>& targets() const { return m_targets; }
    // Policy rules, in the file's order (the first approve rule that applies decides).
    const QList<Rule>& rules() const { return m_rules; }
    const Rule* rule(const QString& id) const;
    // The longest TTL any credential can have; decides how long a retired signing key stays published.
    int longestTtlSeconds() const;

    // Programmatic construction (tests, demo). Validation happens in validate().
    void addPrincipal(const Principal& p);
    void addTarget(const Target& t);
    void addRule(const Rule& r);
    Status validate() const;
    QJsonObject toJson() const;

private:
    QList<Principal> m_principals;
    QList<Target> m_targets;
    QList<Rule> m_rules;
    QHash<QString, int> m_principalIndex;
    QHash<QString, int> m_targetIndex;
};

} // namespace lapse
