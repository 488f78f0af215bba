"""Who may open the agents' pages: agents and back office (back office alone for uploads)."""

from voiceassist.common.roles import user_is_agent, user_is_back_office


def user_may_use_agents_pages(user) -> bool:
    return user_is_agent(user) or user_is_back_office(user)
